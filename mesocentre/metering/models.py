"""Usage records from every backend, each ingested exactly once (a unique source + external id)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import ScopedQuerySet
from mesocentre.core.roles import is_operator


class UsageRecordQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # Researchers see their consumption through their projects' pages, which ask by account.
        return self if is_operator(user) else self.none()


class UsageRecord(models.Model):
    # "slurm:<cluster>" for a Slurm cluster; the job id there is the external id.
    source = models.CharField(_("source"), max_length=100)
    external_id = models.CharField(_("external id"), max_length=100)
    account = models.CharField(_("account"), max_length=64, db_index=True)
    user_login = models.CharField(_("user"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True)
    ended_at = models.DateTimeField(_("ended at"), db_index=True)
    # Seconds of allocated CPUs and GPUs (elapsed × count): whole numbers, so sums are exact.
    cpu_seconds = models.PositiveBigIntegerField(_("CPU seconds"), default=0)
    gpu_seconds = models.PositiveBigIntegerField(_("GPU seconds"), default=0)
    collected_at = models.DateTimeField(_("collected at"), auto_now_add=True)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-ended_at", "pk"]
        verbose_name = _("usage record")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="metering_usagerecord_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source} #{self.external_id} ({self.account})"
