"""Orders (what creates, changes or ends a resource) and quotas (how much a tenant may hold).

An order's life is one table of transitions (``Order.TRANSITIONS``), as Waldur's marketplace: the consumer side
approves (the project's PI or manager, or its paying establishment's manager) where the offering asks it, then the
provider side (a member of the offering's operations team) where the offering asks it; approval queues the backend's
operation in the same transaction (``executing``), and the backend's outcome ends it ``done`` or ``erred``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_slug
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.catalogue.models import Offering, Plan
from mesocentre.core.models import ScopedQuerySet, StateTable, TimestampedModel
from mesocentre.core.roles import is_operator
from mesocentre.projects.models.projects import Project, ProjectScopedQuerySet
from mesocentre.resources.models import Resource
from mesocentre.tenancy.models import Establishment, Laboratory


class Order(StateTable, TimestampedModel):
    class Type(models.TextChoices):
        CREATE = "create", pgettext_lazy("order type", "create")
        UPDATE = "update", pgettext_lazy("order type", "change")
        TERMINATE = "terminate", pgettext_lazy("order type", "terminate")

    class State(models.TextChoices):
        PENDING_CONSUMER = "pending_consumer", pgettext_lazy("order state", "awaiting the project's approval")
        PENDING_PROVIDER = "pending_provider", pgettext_lazy("order state", "awaiting the team's approval")
        EXECUTING = "executing", pgettext_lazy("order state", "executing")
        DONE = "done", pgettext_lazy("order state", "done")
        ERRED = "erred", pgettext_lazy("order state", "erred")
        REJECTED = "rejected", pgettext_lazy("order state", "rejected")
        CANCELLED = "cancelled", pgettext_lazy("order state", "cancelled")

    # The one table of an order's allowed changes of state. An order skips an approval the offering does not ask
    # (or that its author gives by placing it); an erred order is executed again by an operator's retry.
    TRANSITIONS: dict[str, frozenset[str]] = {
        State.PENDING_CONSUMER: frozenset({State.PENDING_PROVIDER, State.EXECUTING, State.REJECTED, State.CANCELLED}),
        State.PENDING_PROVIDER: frozenset({State.EXECUTING, State.REJECTED, State.CANCELLED}),
        State.EXECUTING: frozenset({State.DONE, State.ERRED}),
        State.ERRED: frozenset({State.EXECUTING, State.CANCELLED}),
        State.DONE: frozenset(),
        State.REJECTED: frozenset(),
        State.CANCELLED: frozenset(),
    }
    transition_refusal = _("An order goes from “%(old)s” to “%(new)s” only along its transitions.")
    PENDING = (State.PENDING_CONSUMER, State.PENDING_PROVIDER)
    # What still counts against quotas besides what is held: the orders not yet ended.
    OPEN = (State.PENDING_CONSUMER, State.PENDING_PROVIDER, State.EXECUTING)

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="orders")
    offering = models.ForeignKey(Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING_CONSUMER)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("The new resource's name."))
    quantities = models.JSONField(_("quantities"), default=dict, blank=True)
    # Where a hosted rack goes: a POD (the hosting team picks the rack) or a rack of it.
    pod = models.ForeignKey(
        "capacity.Pod", verbose_name=_("POD"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A VM's primary pinned to a site (blank: either); the assistant's ``site_pin`` rule.
    site = models.ForeignKey(
        "capacity.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A new VM's anti-affinity group within its project (the assistant's ``anti_affinity:<group>``); blank: none.
    group = models.CharField(_("anti-affinity group"), max_length=50, blank=True, validators=[validate_slug])
    # The calculator's estimate when the order was placed: {"price_list", "date", "quarter": {...}, "year": {...}}.
    estimate = models.JSONField(_("estimate"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="+"
    )
    consumer_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved for the project by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consumer_reviewed_at = models.DateTimeField(_("approved for the project at"), null=True, blank=True)
    provider_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by the team by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    provider_reviewed_at = models.DateTimeField(_("approved by the team at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected or cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or cancelled."))
    error = models.TextField(_("error"), blank=True)
    operation = models.ForeignKey(
        "provisioning.Operation",
        verbose_name=_("operation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("order")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "pending_consumer",
                        "pending_provider",
                        "executing",
                        "done",
                        "erred",
                        "rejected",
                        "cancelled",
                    ]
                ),
                name="resources_order_known_state",
            ),
            models.CheckConstraint(
                condition=(Q(type="create") & Q(plan__isnull=False))
                | (Q(type="update") & Q(plan__isnull=False) & Q(resource__isnull=False))
                | (Q(type="terminate") & Q(resource__isnull=False)),
                name="resources_order_shape_of_type",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["rejected", "cancelled"]) | ~Q(reason=""),
                name="resources_order_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.type} {self.offering_id}"

    def clean(self) -> None:
        if self.plan_id and self.offering_id and self.plan.offering_id != self.offering_id:
            raise ValidationError({"plan": _("The plan is not one of the offering's.")})
        if self.resource_id and self.offering_id and self.resource.offering_id != self.offering_id:
            raise ValidationError({"resource": _("The resource is not one of the offering's.")})
        if self.resource_id and self.project_id and self.resource.project_id != self.project_id:
            raise ValidationError({"resource": _("The resource is not the project's.")})

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class QuotaQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Operators: all. Others: the quotas of their establishments, their laboratories and their projects."""
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        establishments = Establishment.objects.visible_to(user)
        return self.filter(
            Q(establishment__in=establishments)
            | Q(laboratory__establishments__in=establishments)
            | Q(project__in=Project.objects.visible_to(user))
        ).distinct()


class Quota(TimestampedModel):
    """At most ``limit`` of one dimension held and ordered by an establishment's projects (those it pays for), a
    laboratory's or one project's."""

    class Dimension(models.TextChoices):
        VCPU = "vcpu", _("vCPU")
        RAM_GB = "ram_gb", _("GB of RAM")
        DISK_GB = "disk_gb", _("GB of disk")
        STORAGE_GB = "storage_gb", _("GB of storage")
        VMS = "vms", _("VMs")
        RACKS = "racks", _("racks")

    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), null=True, blank=True, on_delete=models.CASCADE
    )
    laboratory = models.ForeignKey(
        Laboratory, verbose_name=_("laboratory"), null=True, blank=True, on_delete=models.CASCADE
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=0, validators=[MinValueValidator(Decimal(0))])

    objects = QuotaQuerySet.as_manager()

    class Meta:
        ordering = ["dimension", "pk"]
        verbose_name = _("quota")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(establishment__isnull=False, laboratory__isnull=True, project__isnull=True)
                    | Q(establishment__isnull=True, laboratory__isnull=False, project__isnull=True)
                    | Q(establishment__isnull=True, laboratory__isnull=True, project__isnull=False)
                ),
                name="resources_quota_one_holder",
            ),
            models.CheckConstraint(condition=Q(limit__gte=0), name="resources_quota_limit_not_negative"),
            models.UniqueConstraint(fields=["establishment", "dimension"], name="resources_quota_unique_establishment"),
            models.UniqueConstraint(fields=["laboratory", "dimension"], name="resources_quota_unique_laboratory"),
            models.UniqueConstraint(fields=["project", "dimension"], name="resources_quota_unique_project"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_label}: {self.limit} {self.dimension}"

    @property
    def holder_label(self) -> str:
        if self.establishment_id:
            return _("the establishment %(code)s") % {"code": self.establishment.code}
        if self.laboratory_id:
            return _("the laboratory %(code)s") % {"code": self.laboratory.code}
        return _("the project %(code)s") % {"code": self.project.code}

    def clean(self) -> None:
        holders = [h for h in (self.establishment_id, self.laboratory_id, self.project_id) if h]
        if len(holders) != 1:
            raise ValidationError({"establishment": _("A quota belongs to one establishment, laboratory or project.")})
