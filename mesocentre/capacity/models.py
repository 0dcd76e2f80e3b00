"""Sites and the hosts that run the cloud's VMs; the PODs and racks of physical hosting, with their power budget."""

import math
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator


class OperatorQuerySet(ScopedQuerySet):
    """Infrastructure: the operators see it; others see it only through capacity figures."""

    def visible_to(self, user):
        return self if is_operator(user) else self.none()


class Site(TimestampedModel):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_recovery_site = models.BooleanField(
        _("disaster-recovery site"), default=False, help_text=_("Holds the standby copies of gold VMs.")
    )
    storage_gb = models.PositiveIntegerField(_("useful storage (GB)"), default=0)
    backup_gb = models.PositiveIntegerField(_("backup storage (GB)"), default=0)

    objects = OperatorQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")

    def __str__(self) -> str:
        return self.name


# An allocation ratio (OpenStack Placement's): 1.0 gives what the host has; more overcommits, less holds some back.
MAX_RATIO = Decimal("1000")
RATIO_VALIDATORS = [MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_RATIO)]
HOST_RESOURCES = ("vcpu", "ram_gb", "disk_gb")


def shares(total: int, parts: int) -> list[int]:
    """``total`` split in ``parts`` whole shares, the larger ones first: 100 000 over 6 is 16 667 × 4 + 16 666 × 2."""
    base, extra = divmod(total, parts) if parts else (0, 0)
    return [base + 1 if index < extra else base for index in range(parts)]


class Host(TimestampedModel):
    """A hypervisor. What it offers of each resource is floor((total − reserved) × ratio), as OpenStack Placement
    computes it; its disk is its share of its site's useful storage."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="hosts")
    name = models.CharField(_("name"), max_length=100, unique=True)
    vcpu = models.PositiveIntegerField(_("vCPU"), validators=[MinValueValidator(1)])
    ram_gb = models.PositiveIntegerField(_("RAM (GB)"), validators=[MinValueValidator(1)])
    disk_gb = models.PositiveIntegerField(_("disk (GB)"), default=0)
    reserved_vcpu = models.PositiveIntegerField(_("reserved vCPU"), default=0)
    reserved_ram_gb = models.PositiveIntegerField(_("reserved RAM (GB)"), default=0)
    reserved_disk_gb = models.PositiveIntegerField(_("reserved disk (GB)"), default=0)
    vcpu_ratio = models.DecimalField(
        _("vCPU allocation ratio"), max_digits=7, decimal_places=2, default=Decimal("1.0"), validators=RATIO_VALIDATORS
    )
    ram_ratio = models.DecimalField(
        _("RAM allocation ratio"), max_digits=7, decimal_places=2, default=Decimal("1.0"), validators=RATIO_VALIDATORS
    )
    disk_ratio = models.DecimalField(
        _("disk allocation ratio"), max_digits=7, decimal_places=2, default=Decimal("1.0"), validators=RATIO_VALIDATORS
    )
    in_maintenance = models.BooleanField(
        _("in maintenance"), default=False, help_text=_("Takes no new VM; keeps what it holds.")
    )

    objects = OperatorQuerySet.as_manager()

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("host")
        constraints = [
            models.CheckConstraint(
                condition=Q(vcpu_ratio__gt=0, ram_ratio__gt=0, disk_ratio__gt=0), name="capacity_host_ratios_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        for resource in HOST_RESOURCES:
            if getattr(self, f"reserved_{resource}") > getattr(self, resource):
                raise ValidationError({f"reserved_{resource}": _("A host reserves at most what it has.")})

    @property
    def reserved(self) -> dict[str, int]:
        return {resource: getattr(self, f"reserved_{resource}") for resource in HOST_RESOURCES}

    @property
    def ratios(self) -> dict[str, Decimal]:
        return {"vcpu": self.vcpu_ratio, "ram_gb": self.ram_ratio, "disk_gb": self.disk_ratio}

    @property
    def usable(self) -> dict[str, int]:
        """floor((total − reserved) × ratio) of each resource (never below 0)."""
        return {
            resource: max(math.floor((getattr(self, resource) - self.reserved[resource]) * self.ratios[resource]), 0)
            for resource in HOST_RESOURCES
        }


class PodQuerySet(OperatorQuerySet):
    def with_totals(self):
        """Each POD with its number of racks, their U and their kW, in the list's one query."""
        return self.annotate(
            racks_count=Count("racks"),
            total_u=Coalesce(Sum("racks__height_u"), 0),
            total_kw=Coalesce(Sum("racks__power_budget_kw"), Decimal("0"), output_field=models.DecimalField()),
        )


class Pod(TimestampedModel):
    """A POD: a row of racks around one confined hot aisle (the offer: 4 PODs, two of 12 racks, two of 16)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The offer names no site for them: blank until an operator (or the demo) says which.
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT, related_name="pods"
    )
    hot_aisle_width_m = models.DecimalField(
        _("hot-aisle width (m)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.20"),
        validators=[MinValueValidator(Decimal("0.50")), MaxValueValidator(Decimal("5"))],
    )

    objects = PodQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("POD")
        verbose_name_plural = _("PODs")

    def __str__(self) -> str:
        return self.name


# A rack's power budget: the offer's racks draw 7 kW on average and are expected to grow to 25–30 kW; beyond 30 kW
# a rack needs liquid cooling the hot aisles do not have.
DEFAULT_RACK_KW = Decimal("7.0")
MAX_RACK_KW = Decimal("30")
MAX_RACK_U = 60


class RackQuerySet(OperatorQuerySet):
    def in_pod(self, pod: Pod):
        return self.filter(pod=pod)


class Rack(TimestampedModel):
    pod = models.ForeignKey(Pod, verbose_name=_("POD"), on_delete=models.PROTECT, related_name="racks")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    height_u = models.PositiveSmallIntegerField(
        _("height (U)"), default=42, validators=[MinValueValidator(1), MaxValueValidator(MAX_RACK_U)]
    )
    power_budget_kw = models.DecimalField(
        _("power budget (kW)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_RACK_KW,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_RACK_KW)],
        help_text=_("More than 0, at most 30 kW: the hot aisles cool no more."),
    )

    objects = RackQuerySet.as_manager()

    class Meta:
        ordering = ["pod", "number"]
        verbose_name = _("rack")
        constraints = [
            models.UniqueConstraint(fields=["pod", "number"], name="capacity_rack_unique_number"),
            models.CheckConstraint(
                condition=Q(height_u__gte=1, height_u__lte=MAX_RACK_U), name="capacity_rack_height_u_range"
            ),
            models.CheckConstraint(
                condition=Q(power_budget_kw__gt=0, power_budget_kw__lte=MAX_RACK_KW),
                name="capacity_rack_power_budget_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pod.code}-R{self.number:02d}"
