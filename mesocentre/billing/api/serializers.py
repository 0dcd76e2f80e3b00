"""The calculator's request, validated once for the API, the portal and the command line."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from mesocentre.billing.calculator import MAX_ITEMS, PERIOD_FRACTIONS, Item, quote
from mesocentre.catalogue.models import Offering

POSITIVE = {"min_value": _("Must be at least %(limit_value)s.")}


def positive_int(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=10**6, **kwargs)


def quantity(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), default=Decimal(0), **kwargs)


class QuoteItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Offering.Kind.choices)
    tier = serializers.CharField(required=False, max_length=50, help_text="Plan of a cloud VM: bronze, silver, gold.")
    plan = serializers.CharField(required=False, max_length=50, default="standard")
    count = positive_int(default=1)
    vcpu = positive_int(required=False)
    ram_gb = positive_int(required=False)
    disk_gb = positive_int(required=False)
    core_hours = quantity()
    gpu_hours = quantity()
    node_hours = quantity()
    storage_gb = quantity()
    kwh = quantity(help_text="Expected measured consumption per rack over the period.")
    kwh_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=6,
        min_value=Decimal(0),
        required=False,
        help_text="Electricity price per kWh HT to assume instead of the catalogue's.",
    )

    def validate(self, attrs):
        kind = attrs["kind"]
        errors = {}
        if kind == Offering.Kind.CLOUD_VM:
            for name in ("tier", "vcpu", "ram_gb", "disk_gb"):
                if name not in attrs:
                    errors[name] = _("Required for a cloud VM.")
            attrs["plan"] = attrs.pop("tier", "")
        elif kind == Offering.Kind.HPC and not (attrs["core_hours"] or attrs["gpu_hours"]):
            errors["core_hours"] = _("Give core-hours or GPU hours, more than zero.")
        elif kind in (Offering.Kind.STORAGE, Offering.Kind.BACKUP) and not attrs["storage_gb"]:
            errors["storage_gb"] = _("Give the storage in GB, more than zero.")
        elif kind == Offering.Kind.GPU_BOOKING and not attrs["node_hours"]:
            errors["node_hours"] = _("Give the node-hours booked, more than zero.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class QuoteRequestSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=sorted(PERIOD_FRACTIONS), default="year")
    price_list = serializers.CharField(default="academic", max_length=30)
    date = serializers.DateField(required=False, help_text="Prices valid on this day; today by default.")
    items = QuoteItemSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_ITEMS,  # the schema's maxItems; to_internal_value refuses first, with our message
        help_text=f"At most {MAX_ITEMS} items; n identical things are one item with a count.",
    )

    def to_internal_value(self, data):
        # Before any item is validated: an oversized basket costs its parsing and nothing more.
        items = data.get("items") if hasattr(data, "get") else None
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            message = _("A basket holds at most %(max)s items; give a count instead.") % {"max": MAX_ITEMS}
            raise serializers.ValidationError({"items": [message]})
        return super().to_internal_value(data)

    def create_quote(self):
        """Price the validated basket; the catalogue's own refusals come back as field errors."""
        data = self.validated_data
        items = [Item(**{k: v for k, v in item.items() if k != "tier"}) for item in data["items"]]
        try:
            return quote(items, period=data["period"], price_list=data["price_list"], day=data.get("date"))
        except DjangoValidationError as exc:
            index = getattr(exc, "item_index", None)
            # Same shape as DRF's own errors on a list: {"items": {index: {field: [messages]}}}.
            errors = exc.message_dict if index is None else {"items": {index: exc.message_dict}}
            raise serializers.ValidationError(errors) from None


DISPLAY = (
    "The same figures as a person reads them, in the request's language (Accept-Language): '€1,452.00' or '1 452,00 €'."
)


class QuoteLineDisplaySerializer(serializers.Serializer):
    quantity = serializers.CharField()
    unit_price_ht = serializers.CharField()
    amount_ht = serializers.CharField()
    vat_rate = serializers.CharField()


class QuoteLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.CharField()
    unit = serializers.CharField()
    unit_price_ht = serializers.CharField()
    amount_ht = serializers.CharField()
    vat_rate = serializers.CharField()
    display = QuoteLineDisplaySerializer(help_text=DISPLAY)


class VatDisplaySerializer(serializers.Serializer):
    rate = serializers.CharField()
    amount = serializers.CharField()


class VatSerializer(serializers.Serializer):
    rate = serializers.CharField()
    amount = serializers.CharField()
    display = VatDisplaySerializer(help_text=DISPLAY)


class QuoteDisplaySerializer(serializers.Serializer):
    date = serializers.CharField()
    total_ht = serializers.CharField()
    total_vat = serializers.CharField()
    total_ttc = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    currency = serializers.CharField()
    period = serializers.CharField()
    price_list = serializers.CharField()
    date = serializers.DateField()
    lines = QuoteLineSerializer(many=True)
    vat = VatSerializer(many=True)
    total_ht = serializers.CharField()
    total_vat = serializers.CharField()
    total_ttc = serializers.CharField()
    display = QuoteDisplaySerializer(help_text=DISPLAY)


# --- Issued invoices and credit notes -------------------------------------------------------------------------------


class InvoiceLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text="Its number on the invoice, from 1 (what `invoices credit --line` takes)."
    )
    project = serializers.CharField()
    offering = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.CharField()
    unit = serializers.CharField()
    unit_price_ht = serializers.CharField()
    amount_ht = serializers.CharField()
    vat_rate = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Included.")


class InvoiceAnnexSerializer(serializers.Serializer):
    project = serializers.CharField()
    quantity = serializers.CharField()
    unit = serializers.CharField()
    value_ht = serializers.CharField()
    granted = serializers.CharField()
    gpu_hours = serializers.CharField()
    granted_gpu_hours = serializers.CharField()


class BuyerSerializer(serializers.Serializer):
    name = serializers.CharField()
    siret = serializers.CharField()
    vat_number = serializers.CharField()
    service_code = serializers.CharField(help_text="Chorus Pro service code.")
    address = serializers.CharField()


class SellerSerializer(serializers.Serializer):
    name = serializers.CharField()
    siret = serializers.CharField()
    vat_number = serializers.CharField()
    address = serializers.CharField()


class ChorusDepositSerializer(serializers.Serializer):
    """What became of the invoice's deposit on Chorus Pro (``billing.chorus``)."""

    status = serializers.ChoiceField(choices=["queued", "deposited", "integrated", "rejected"])
    flux_number = serializers.CharField()
    chorus_status = serializers.CharField(help_text="etatCourantDepotFlux, as Chorus Pro said it.")
    status_text = serializers.CharField(help_text="Chorus Pro's reasons, when it rejected the deposit.")
    deposited_at = serializers.DateTimeField(allow_null=True)
    status_at = serializers.DateTimeField(allow_null=True)


class InvoiceSerializer(serializers.Serializer):
    """An issued invoice or credit note in the drafts' shape (``invoices list --json``), with its id."""

    id = serializers.IntegerField()
    establishment = serializers.CharField()
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=["invoice", "credit_note"])
    quarter = serializers.CharField()
    price_list = serializers.CharField()
    total_ht = serializers.CharField()
    total_vat = serializers.CharField()
    total_ttc = serializers.CharField()
    lines = InvoiceLineSerializer(many=True)
    annex = InvoiceAnnexSerializer(many=True)
    issued_at = serializers.DateTimeField()
    credits = serializers.CharField(allow_null=True, help_text="For a credit note, the number it corrects.")
    reason = serializers.CharField()
    purchase_order = serializers.CharField()
    buyer = BuyerSerializer()
    seller = SellerSerializer()
    chorus = ChorusDepositSerializer(allow_null=True, help_text="Its deposit on Chorus Pro; null if not sent there.")

    def to_representation(self, instance):
        deposit = getattr(instance, "chorus_deposit", None)
        chorus = ChorusDepositSerializer(deposit).data if deposit is not None else None
        return {"id": instance.pk, **instance.as_dict(), "chorus": chorus}
