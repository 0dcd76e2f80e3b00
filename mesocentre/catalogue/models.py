"""The service catalogue: offerings → plans → components → prices with validity dates.

Prices are full cost, HT, per unit (per year for components billed per period). The academic price list
pays them as they are; the company price list adds the margin the operators set on it.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core import formatting
from mesocentre.core.models import PublicQuerySet, TimestampedModel, TracksFields
from mesocentre.tenancy.models import Team


class PriceList(TimestampedModel):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name in French"), max_length=100, blank=True)
    margin_percent = models.DecimalField(
        _("margin (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("Added to full cost on every price of this list."),
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("price list")

    def __str__(self) -> str:
        return self.name

    @property
    def factor(self) -> Decimal:
        return 1 + self.margin_percent / 100


class Offering(TimestampedModel):
    class Kind(models.TextChoices):
        CLOUD_VM = "cloud-vm", _("cloud virtual machine")
        HPC = "hpc", _("HPC hours")
        GPU_BOOKING = "gpu-booking", _("GPU node booking")
        STORAGE = "storage", _("storage")
        BACKUP = "backup", _("backups")
        RACK = "rack", _("rack hosting")
        FIREWALL = "firewall", _("firewalling")
        DATABASE = "database", _("PaaS database")

    class Status(models.TextChoices):
        AVAILABLE = "available", pgettext_lazy("offering status", "available")
        PLANNED = "planned", pgettext_lazy("offering status", "planned")
        RETIRED = "retired", pgettext_lazy("offering status", "retired")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name in French"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    # Which provisioning backend makes an order real; "manual" means an operator does it.
    backend = models.CharField(_("backend"), max_length=30, default="manual")
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    # Who approves an order before it is carried out: the project's side (its PI or manager, or its paying
    # establishment's manager; an order they place themselves needs nobody else) and the offering's team.
    consumer_approval = models.BooleanField(
        _("approved by the project"),
        default=True,
        help_text=_("An order placed by a member needs the approval of the project's PI or manager."),
    )
    provider_approval = models.BooleanField(
        _("approved by the team"),
        default=True,
        help_text=_("An order waits for a member of the offering's team before it is carried out."),
    )
    # The operations team whose members see and approve its orders and do its manual tasks.
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="offerings",
        blank=True,  # save() gives the team of the offering's kind
        help_text=_("The operations team that approves its orders and does its manual tasks."),
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("offering")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.team_id is None and self.kind:
            # An offering made without a team goes to the standard team of its kind (migration 0003's rule).
            self.team = Team.standard(TEAM_OF_KIND[self.kind])
        super().save(*args, **kwargs)


# Which operations team runs each kind of offering (the offer: hosting, cloud, compute and cross-cutting teams).
TEAM_OF_KIND = {
    Offering.Kind.RACK: Team.Kind.HOSTING,
    Offering.Kind.CLOUD_VM: Team.Kind.CLOUD,
    Offering.Kind.STORAGE: Team.Kind.CLOUD,
    Offering.Kind.BACKUP: Team.Kind.CLOUD,
    Offering.Kind.DATABASE: Team.Kind.CLOUD,
    Offering.Kind.HPC: Team.Kind.COMPUTE,
    Offering.Kind.GPU_BOOKING: Team.Kind.COMPUTE,
    Offering.Kind.FIREWALL: Team.Kind.CROSS_CUTTING,
}


class Plan(TimestampedModel):
    offering = models.ForeignKey(Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="plans")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name in French"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["offering", "order", "code"]
        verbose_name = _("plan")
        constraints = [models.UniqueConstraint(fields=["offering", "code"], name="catalogue_plan_unique_code")]

    def __str__(self) -> str:
        return f"{self.offering} — {self.name}"


class Component(TimestampedModel):
    class BillingType(models.TextChoices):
        FIXED = "fixed", _("fixed per period")
        USAGE = "usage", _("usage")
        LIMIT = "limit", _("limit (per allocated unit per period)")
        ONE_TIME = "one-time", _("one-time")

    class SizedBy(models.TextChoices):
        """Which quantity of the ordered item multiplies this component's price."""

        COUNT = "count", _("one per item")
        VCPU = "vcpu", _("vCPU")
        RAM_GB = "ram_gb", _("GB of RAM")
        DISK_GB = "disk_gb", _("GB of disk")
        CORE_HOURS = "core_hours", _("core-hours")
        GPU_HOURS = "gpu_hours", _("GPU hours")
        NODE_HOURS = "node_hours", _("node-hours")
        STORAGE_GB = "storage_gb", _("GB stored")
        FACILITY_KWH = "facility_kwh", _("kWh measured × PUE")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="components")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name in French"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=30)
    unit_fr = models.CharField(_("unit in French"), max_length=30, blank=True)
    billing_type = models.CharField(_("billing type"), max_length=10, choices=BillingType.choices)
    sized_by = models.CharField(_("sized by"), max_length=20, choices=SizedBy.choices, default=SizedBy.COUNT)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(0)],
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("component")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="catalogue_component_unique_code")]

    def __str__(self) -> str:
        return f"{self.plan} — {self.name}"

    @property
    def per_period(self) -> bool:
        """Fixed and limit components are priced per year and prorated to the period; usage is per unit."""
        return self.billing_type in (self.BillingType.FIXED, self.BillingType.LIMIT)

    def price_on(self, day: datetime.date) -> "Price":
        price = (
            self.prices.filter(valid_from__lte=day)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .first()
        )
        if price is None:
            raise Price.DoesNotExist(f"No price for {self} on {day:%Y-%m-%d}.")
        return price


class Price(TracksFields, TimestampedModel):
    """A full-cost price, HT, valid from one day to another: a new tariff never rewrites the past.

    A price that has started is history for the days gone by (they were, or will be, invoiced at it): its amount,
    component and start never change, and its end date moves only within the days to come. A correction is a new
    price from a later day, as CloudKitty's rating rules since its 23.0 release.
    """

    tracked_fields = ("component_id", "amount", "valid_from", "valid_until")

    component = models.ForeignKey(
        Component, verbose_name=_("component"), on_delete=models.PROTECT, related_name="prices"
    )
    # Eight decimals (billing.money's tariff quantum): tariffs such as a backup GB-year or a core-hour are finer
    # than the cent, and a third of a cent must be close enough to a third that n of them cost n × one to the cent.
    amount = models.DecimalField(
        _("amount HT (€)"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(0)],
        help_text=_("Per unit, and per year for components billed per period."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["component", "-valid_from"]
        verbose_name = _("price")
        constraints = [
            models.UniqueConstraint(fields=["component", "valid_from"], name="catalogue_price_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="catalogue_price_valid_until_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        until = f"{self.valid_until:%Y-%m-%d}" if self.valid_until else "…"
        return f"{self.component}: {self.amount} € HT ({self.valid_from:%Y-%m-%d} → {until})"

    def has_started(self, today: datetime.date | None = None) -> bool:
        """Whether the price, as stored, applied on a day before ``today`` or applies today."""
        started = self.loaded_value("valid_from")
        return not self._state.adding and started is not None and started <= (today or timezone.localdate())

    def _past_days(self, valid_until: datetime.date | None, today: datetime.date) -> datetime.date:
        """The last day gone by (before ``today``) that this price covers with that end date."""
        yesterday = today - datetime.timedelta(days=1)
        return yesterday if valid_until is None else min(valid_until, yesterday)

    def clean(self):
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A price cannot end before it starts.")})
        today = timezone.localdate()
        if self.has_started(today):
            since = formatting.day(self.loaded_value("valid_from"))
            for name, field in (("component_id", "component"), ("amount", "amount"), ("valid_from", "valid_from")):
                if getattr(self, name) != self.loaded_value(name):
                    raise ValidationError(
                        {
                            field: _(
                                "This price has applied since %(since)s: only its end date may change. "
                                "To correct it, start a new price on a later day."
                            )
                            % {"since": since}
                        }
                    )
            if self._past_days(self.valid_until, today) != self._past_days(self.loaded_value("valid_until"), today):
                raise ValidationError(
                    {
                        "valid_until": _(
                            "The days gone by keep the price they had: a price that has started ends yesterday "
                            "at the earliest, and one that has ended stays as it was."
                        )
                    }
                )
        if not self.component_id or not self.valid_from:
            return
        overlapping = (
            Price.objects.filter(component_id=self.component_id)
            .exclude(pk=self.pk)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from))
        )
        if self.valid_until:
            overlapping = overlapping.filter(valid_from__lte=self.valid_until)
        if overlapping.exists():
            raise ValidationError(
                {"valid_from": _("This period overlaps another price of the same component; close that one first.")}
            )

    def delete(self, *args, **kwargs):
        if self.has_started():
            # What was invoiced at this price must still find it: a price that has started is never deleted.
            raise ValidationError(_("This price has started: it is never deleted; give it an end date instead."))
        return super().delete(*args, **kwargs)
