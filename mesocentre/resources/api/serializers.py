"""The shapes of resources, orders and quotas in the API. Orders are written through ``orders.place`` only (the
viewset's ``perform_create``); their state and approvals are read-only here and move by the viewset's actions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mesocentre.capacity.models import Site
from mesocentre.core.api import ScopedRelationsMixin
from mesocentre.resources import orders, quotas
from mesocentre.resources.models import Order, Quota, Resource, ResourcePeriod

# Quantities are a few sizes (sizing.DIMENSIONS): anything longer is not a size, only a way to make work.
MAX_QUANTITY_ENTRIES = 20
MAX_QUANTITY_TEXT = 50


def _quantities_field(**kwargs) -> serializers.DictField:
    return serializers.DictField(child=serializers.CharField(), **kwargs)


class PeriodSerializer(serializers.ModelSerializer):
    plan_code = serializers.CharField(source="plan.code", read_only=True)
    quantities = _quantities_field(read_only=True, help_text="Each size's code and its quantity, as text.")

    class Meta:
        model = ResourcePeriod
        fields = ["plan", "plan_code", "quantities", "valid_from", "valid_until"]
        read_only_fields = fields


class ResourceSerializer(serializers.ModelSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True)
    offering_code = serializers.CharField(source="offering.code", read_only=True)
    current_period = serializers.SerializerMethodField(help_text="The period in force: its plan and size.")

    class Meta:
        model = Resource
        fields = [
            "id",
            "project",
            "project_code",
            "offering",
            "offering_code",
            "name",
            "state",
            "backend",
            "backend_id",
            "address",
            "host",
            "anti_affinity_group",
            "current_period",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    @extend_schema_field(PeriodSerializer(allow_null=True))
    def get_current_period(self, resource: Resource) -> dict | None:
        # ``open_periods``: the viewset's prefetch (one query for the whole list), or the history on a detail.
        periods = getattr(resource, "open_periods", None)
        if periods is None:
            periods = [p for p in getattr(resource, "history", []) if p.valid_until is None]
        return PeriodSerializer(periods[0]).data if periods else None


class ResourceDetailSerializer(ResourceSerializer):
    periods = PeriodSerializer(source="history", many=True, read_only=True, help_text="Every period, oldest first.")

    class Meta(ResourceSerializer.Meta):
        fields = [*ResourceSerializer.Meta.fields, "periods"]
        read_only_fields = fields


class OrderSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    """Written once, to place an order (``project``, ``type`` and the fields of that type); read with its state."""

    # Where a hosted rack goes is the customer's choice among the offer's PODs (the portal's form offers them all),
    # though the PODs' pages are the operators': an id, not a list of every POD.
    unscoped_relations = ("pod", "site")

    project_code = serializers.CharField(source="project.code", read_only=True)
    offering_code = serializers.CharField(source="offering.code", read_only=True)
    plan_code = serializers.CharField(source="plan.code", read_only=True, allow_null=True)
    quantities = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text='Each size\'s code and its quantity, e.g. {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}.',
    )
    estimate = serializers.JSONField(read_only=True, help_text="The calculator's quarter and year when placed.")
    # A VM's primary pinned to a site, by its code (the assistant's site_pin); the sites are the offer's, public.
    site = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Site.objects.all(),
        required=False,
        allow_null=True,
        help_text="A VM's primary's site, by its code (site1, site2); none: either.",
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    consumer_reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    provider_reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "project",
            "project_code",
            "type",
            "state",
            "offering",
            "offering_code",
            "plan",
            "plan_code",
            "resource",
            "pod",
            "site",
            "group",
            "name",
            "quantities",
            "estimate",
            "created_by",
            "created",
            "consumer_reviewed_by",
            "consumer_reviewed_at",
            "provider_reviewed_by",
            "provider_reviewed_at",
            "decided_by",
            "reason",
            "error",
            "operation",
            "finished_at",
        ]
        read_only_fields = [
            "state",
            "offering",
            "estimate",
            "created",
            "consumer_reviewed_at",
            "provider_reviewed_at",
            "reason",
            "error",
            "operation",
            "finished_at",
        ]
        extra_kwargs = {
            "name": {"max_length": 100},
            "group": {
                "max_length": 50,
                "validators": [],
                "help_text": "A new VM's anti-affinity group in its project.",
            },
            "pod": {"style": {"base_template": "input.html"}},
        }

    def validate_quantities(self, quantities: dict) -> dict:
        # The service checks every size strictly (checked_quantities); this only bounds what it is handed.
        too_long = any(len(str(code)) > MAX_QUANTITY_TEXT for code in quantities) or any(
            isinstance(value, str) and len(value) > MAX_QUANTITY_TEXT for value in quantities.values()
        )
        if len(quantities) > MAX_QUANTITY_ENTRIES or too_long:
            raise serializers.ValidationError(_("The quantities map each size's code to a number."))
        return quantities

    def create(self, validated_data: dict) -> Order:
        data = dict(validated_data)
        return orders.place(
            self.context["request"].user,
            data.pop("project"),
            data.pop("type"),
            plan=data.get("plan"),
            quantities=data.get("quantities"),
            name=data.get("name", ""),
            resource=data.get("resource"),
            pod=data.get("pod"),
            site=data.get("site"),
            group=data.get("group", ""),
        )


class ReasonSerializer(serializers.Serializer):
    """Why an order is rejected or cancelled: it is kept on the order and shown to its author."""

    reason = serializers.CharField(max_length=orders.MAX_REASON, allow_blank=True)


class QuotaSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Quota
        fields = ["id", "establishment", "laboratory", "project", "dimension", "limit"]
        # The holder and uniqueness rules are checked in validate(), naming the field (DRF's generated validator
        # would answer "non_field_errors").
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        names = ("establishment", "laboratory", "project", "dimension", "limit")
        merged = {name: attrs[name] if name in attrs else getattr(self.instance, name, None) for name in names}
        quota = Quota(pk=getattr(self.instance, "pk", None), **merged)
        try:
            quota.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        holder = next(name for name in ("establishment", "laboratory", "project") if merged[name] is not None)
        taken = Quota.objects.filter(**{holder: merged[holder], "dimension": merged["dimension"]})
        if taken.exclude(pk=quota.pk).exists():
            raise serializers.ValidationError(
                {"dimension": _("%(holder)s has a quota of this dimension already.") % {"holder": quota.holder_label}}
            )
        return attrs


class QuotaDetailSerializer(QuotaSerializer):
    in_use = serializers.SerializerMethodField(help_text="Held now and on order, in the quota's dimension.")

    class Meta(QuotaSerializer.Meta):
        fields = [*QuotaSerializer.Meta.fields, "in_use"]

    @extend_schema_field({"type": "string", "format": "decimal"})  # a decimal as text, as DRF writes them
    def get_in_use(self, quota: Quota) -> str:
        return str(quotas.in_use(quota))
