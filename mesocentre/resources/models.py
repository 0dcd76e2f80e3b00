"""What a project holds of the catalogue: one resource per thing held, and its dated history of sizes.

A resource is one thing a project holds of one offering (a VM, a volume, a hosted rack…): its state, its backend
and the backend's identifier. What it is, and at which size, is its periods: each change of plan or quantity closes
the open period and opens the next, so that "what did this project hold on 14 February, and at which size" has one
exact answer (``ResourcePeriod.objects.held_at``). Periods are never rewritten once closed; billing reads them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.catalogue.models import Offering, Plan
from mesocentre.core.models import StateTable, TimestampedModel
from mesocentre.projects.models.projects import ProjectScopedQuerySet
from mesocentre.resources.sizing import dimensions

# An anti-affinity group's name: a slug, short.
GROUP_MAX = 50

# The largest quantity of one component a resource may hold (GB of storage is the largest unit in use: 10 PB).
MAX_QUANTITY = Decimal(10_000_000)


class Resource(StateTable, TimestampedModel):
    class State(models.TextChoices):
        CREATING = "creating", pgettext_lazy("resource state", "creating")
        OK = "ok", pgettext_lazy("resource state", "ok")
        UPDATING = "updating", pgettext_lazy("resource state", "updating")
        TERMINATING = "terminating", pgettext_lazy("resource state", "terminating")
        TERMINATED = "terminated", pgettext_lazy("resource state", "terminated")
        ERRED = "erred", pgettext_lazy("resource state", "erred")

    # The one table of allowed changes of state. Erred is reachable from every step but the end; it is left by a
    # retry (back to the step that failed) or by an operator's resolution (ok, or terminated).
    TRANSITIONS: dict[str, frozenset[str]] = {
        State.CREATING: frozenset({State.OK, State.ERRED}),
        State.OK: frozenset({State.UPDATING, State.TERMINATING, State.ERRED}),
        State.UPDATING: frozenset({State.OK, State.ERRED}),
        State.TERMINATING: frozenset({State.TERMINATED, State.ERRED}),
        State.ERRED: frozenset({State.CREATING, State.UPDATING, State.TERMINATING, State.OK, State.TERMINATED}),
        State.TERMINATED: frozenset(),
    }

    transition_refusal = _("A resource goes from “%(old)s” to “%(new)s” only along its transitions.")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="resources"
    )
    offering = models.ForeignKey(Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CREATING)
    backend = models.CharField(_("backend"), max_length=30)
    backend_id = models.CharField(_("backend identifier"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    # A VM's anti-affinity group, named within its project (the assistant's anti_affinity rule): no two copies of the
    # group's members on one host. Blank: none.
    anti_affinity_group = models.CharField(
        _("anti-affinity group"), max_length=GROUP_MAX, blank=True, validators=[validate_slug]
    )

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "name", "pk"]
        verbose_name = _("resource")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["creating", "ok", "updating", "terminating", "terminated", "erred"]),
                name="resources_known_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.offering.code})"


class PeriodQuerySet(ProjectScopedQuerySet):
    project_path = "resource__project"

    def held_at(self, moment):
        """The periods in force at ``moment`` (an aware datetime): from ``valid_from`` included to ``valid_until``
        excluded, the open one without an end."""
        return self.filter(valid_from__lte=moment).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=moment))


class ResourcePeriod(TimestampedModel):
    """One span of a resource's life at one plan and size."""

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="periods")
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+")
    # {component code: quantity as text}, in the component's unit (GB, vCPU, U, kW, a count): a Decimal kept exact.
    quantities = models.JSONField(_("quantities"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["resource", "valid_from"]
        verbose_name = _("resource period")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="resources_period_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["resource"], condition=Q(valid_until__isnull=True), name="resources_one_open_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.plan_id} {self.valid_from:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.plan_id and self.resource_id and self.plan.offering_id != self.resource.offering_id:
            raise ValidationError({"plan": _("The plan is not one of the resource's offering.")})
        if self.plan_id:
            self.quantities = checked_quantities(self.plan, self.quantities)

    def quantity(self, component: str) -> Decimal:
        return Decimal(self.quantities.get(component, "0"))


def checked_quantities(plan: Plan, quantities) -> dict[str, str]:
    """``quantities`` as stored: the sizes ``plan`` takes (``sizing.dimensions``: ``vcpu``, ``ram_gb``…), each a
    number above 0 and at most ``MAX_QUANTITY`` (whole where the unit is), the required ones given, nothing else;
    refused naming the quantity and the rule."""
    if not isinstance(quantities, dict):
        raise ValidationError({"quantities": _("The quantities map each size's code to a number.")})
    known = {d.code: d for d in dimensions(plan)}
    unknown = sorted(set(map(str, quantities)) - set(known))
    if unknown:
        raise ValidationError(
            {
                "quantities": _("%(plan)s takes no %(code)s (it takes %(known)s).")
                % {"plan": plan, "code": ", ".join(unknown), "known": ", ".join(known) or "—"}
            }
        )
    missing = [code for code, d in known.items() if d.required and code not in quantities]
    if missing:
        raise ValidationError(
            {"quantities": _("%(plan)s needs %(codes)s.") % {"plan": plan, "codes": ", ".join(missing)}}
        )
    checked = {}
    for code, raw in sorted(quantities.items()):
        value = _number(raw)
        if value is None or not Decimal(0) < value <= MAX_QUANTITY:
            raise ValidationError(
                {
                    "quantities": _("%(code)s: a number above 0 and at most %(max)s.")
                    % {"code": code, "max": MAX_QUANTITY}
                }
            )
        if known[code].whole and value != value.to_integral():
            raise ValidationError({"quantities": _("%(code)s: a whole number.") % {"code": code}})
        # "8", not "8.00" nor "8E+0": one spelling per quantity, so that "the same size" compares as text.
        checked[code] = str(value.quantize(Decimal(1))) if value == value.to_integral() else str(value.normalize())
    if not checked:
        raise ValidationError({"quantities": _("Give the quantity of at least one component.")})
    return checked


def _number(raw) -> Decimal | None:
    """A number as a caller wrote it (a JSON number or a decimal string), strictly: no booleans, no NaN."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class ReservationQuerySet(ProjectScopedQuerySet):
    project_path = "resource__project"  # seen as its resource's project is

    def holding_on(self, rack, day) -> ReservationQuerySet:
        """The reservations of ``rack`` whose resource held it on ``day`` (its first period began by that day, not
        released before it), the one a rack's measured kWh go to first: the most power declared, then the oldest.
        ``rack`` and ``day`` may be expressions (``OuterRef``). One rule for the invoices and the reports, so that a
        measure goes to one project whichever establishment's draft asks."""
        return (
            self.filter(rack=rack, resource__periods__valid_from__date__lte=day)
            .filter(Q(released_at__isnull=True) | Q(released_at__date__gt=day))
            .order_by("-power_kw", "pk")
        )


class RackReservation(TimestampedModel):
    """The rack (or the U in one) a rack-hosting resource holds, and the power it may draw there. The rows of one
    rack never hold more U than it has (checked under the racks' locks by ``racks.reserve_rack``)."""

    resource = models.OneToOneField(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="rack_reservation"
    )
    rack = models.ForeignKey(
        "capacity.Rack", verbose_name=_("rack"), on_delete=models.PROTECT, related_name="reservations"
    )
    units = models.PositiveSmallIntegerField(_("U"))
    power_kw = models.DecimalField(_("power (kW)"), max_digits=5, decimal_places=2, default=Decimal(0))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["rack", "pk"]
        verbose_name = _("rack reservation")
        constraints = [
            models.CheckConstraint(condition=Q(units__gte=1) & Q(units__lte=60), name="resources_rack_units_range"),
            models.CheckConstraint(condition=Q(power_kw__gte=0), name="resources_rack_power_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.rack} · {self.units} U"


class Placement(TimestampedModel):
    """What a VM resource holds where, at the size it was placed: its primary on a host of either site and, in
    gold, its standby (the same size) on a host of the other site; a silver or gold VM's backups (its disk size) in
    the backup pool of the site other than its primary's. Written by ``placements.place_vm`` with the assistant's
    certified answer when the VM's order is carried out; the occupancy is computed from these rows
    (``placements.capacity_report``), never stored."""

    class Role(models.TextChoices):
        PRIMARY = "primary", pgettext_lazy("placement role", "primary")
        STANDBY = "standby", pgettext_lazy("placement role", "standby")
        BACKUP = "backup", pgettext_lazy("placement role", "backups")

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="placements"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    site = models.ForeignKey("capacity.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    # A copy's host; none for backups, which are in the site's pool.
    host = models.ForeignKey(
        "capacity.Host", verbose_name=_("host"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vcpu = models.PositiveIntegerField(_("vCPU"), default=0)
    ram_gb = models.PositiveIntegerField(_("RAM (GB)"), default=0)
    disk_gb = models.PositiveIntegerField(_("disk (GB)"), default=0)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["resource", "role"]
        verbose_name = _("placement")
        constraints = [
            models.UniqueConstraint(fields=["resource", "role"], name="resources_one_placement_per_role"),
            models.CheckConstraint(
                condition=Q(role__in=["primary", "standby"], host__isnull=False) | Q(role="backup", host__isnull=True),
                name="resources_placement_copy_on_a_host",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.role} {self.host_id or self.site_id}"


# Orders and quotas live in their own module; imported here so that Django finds their models.
from mesocentre.resources.order_models import Order, Quota  # noqa: E402, F401
