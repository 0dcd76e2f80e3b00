"""Usage records from every backend, each ingested exactly once, and the measured energy of hosted racks.

A Slurm job's natural key is its cluster (``source`` = ``slurm:<cluster>``), its JobIDRaw (``external_id``) and its
submit time: Slurm reuses job ids (a database reset, the counter wrapping), so the id alone is not a job."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import ScopedQuerySet
from mesocentre.core.roles import is_operator


class UsageRecordQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # Researchers see their consumption through their projects' pages, which ask by account.
        return self if is_operator(user) else self.none()

    def billable(self):
        """The records rating may price: not those kept aside (an account no project has)."""
        return self.filter(aside=False)


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day an aware moment falls on in the platform's time zone."""
    return timezone.localtime(moment).date()


class UsageRecord(models.Model):
    # "slurm:<cluster>" for a Slurm cluster; the job id there (JobIDRaw) is the external id.
    source = models.CharField(_("source"), max_length=100)
    external_id = models.CharField(_("external id"), max_length=100)
    # With the source and the external id, the natural key: a job id Slurm gave again is another job.
    submitted_at = models.DateTimeField(_("submitted at"))
    # False for the records collected before the key held the submit time (metering 0002): their submitted_at is
    # their start (or end) instead, and a job is matched to them by its source, id and end.
    submit_known = models.BooleanField(_("submit time known"), default=True)
    account = models.CharField(_("account"), max_length=64, db_index=True)
    user_login = models.CharField(_("user"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True)
    ended_at = models.DateTimeField(_("ended at"), db_index=True)
    # The day the job counts on: the day it ended, in the cluster's time zone.
    day = models.DateField(_("day"), db_index=True)
    # Seconds of allocated CPUs and GPUs (elapsed × count): whole numbers, so sums are exact.
    cpu_seconds = models.PositiveBigIntegerField(_("CPU seconds"), default=0)
    gpu_seconds = models.PositiveBigIntegerField(_("GPU seconds"), default=0)
    # An account no project has when it was recorded: kept, listed for operators (`usage aside`), never billed.
    aside = models.BooleanField(_("kept aside"), default=False)
    collected_at = models.DateTimeField(_("collected at"), auto_now_add=True)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-ended_at", "pk"]
        verbose_name = _("usage record")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id", "submitted_at"], name="metering_usagerecord_once_per_job"
            ),
        ]
        indexes = [
            models.Index(
                fields=["source", "external_id"], condition=Q(submit_known=False), name="metering_usage_legacy"
            ),
            models.Index(fields=["source", "account"], condition=Q(aside=True), name="metering_usage_aside"),
        ]

    def __str__(self) -> str:
        return f"{self.source} #{self.external_id} ({self.account})"

    def save(self, *args, **kwargs):
        # Made by hand (a test, the demo): the job's submit time is its start when not given, its day its end's.
        if self.submitted_at is None:
            self.submitted_at = self.started_at or self.ended_at
        if self.day is None and self.ended_at is not None:
            self.day = local_day(self.ended_at)
        super().save(*args, **kwargs)


class MeasuredEnergy(models.Model):
    """The kWh a hosted rack drew over a period of whole days (``period_start`` to ``period_end``, both included),
    as its meter read them: imported once per rack and period."""

    rack = models.ForeignKey(
        "capacity.Rack", verbose_name=_("rack"), on_delete=models.PROTECT, related_name="measured_energy"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    kwh = models.DecimalField(_("kWh"), max_digits=12, decimal_places=3)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["rack", "period_start"]
        verbose_name = _("measured energy")
        verbose_name_plural = _("measured energy")
        constraints = [
            models.UniqueConstraint(
                fields=["rack", "period_start", "period_end"], name="metering_measuredenergy_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="metering_energy_period"
            ),
            models.CheckConstraint(condition=Q(kwh__gte=0), name="metering_energy_kwh_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.rack}: {self.kwh} kWh, {self.period_start} – {self.period_end}"
