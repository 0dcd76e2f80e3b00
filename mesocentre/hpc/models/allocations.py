"""The committee's decisions, the allocations they make, and later change requests."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core.formatting import number
from mesocentre.core.models import TimestampedModel
from mesocentre.hpc.models.calls import AllocationRequest, check_hours
from mesocentre.projects.models.projects import Project, ProjectScopedQuerySet

DEFAULT_CLUSTER = "mesocentre"


class RequestScopedQuerySet(ProjectScopedQuerySet):
    project_path = "request__project"


class AllocationScopedQuerySet(ProjectScopedQuerySet):
    project_path = "allocation__project"


class Decision(TimestampedModel):
    request = models.OneToOneField(
        AllocationRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="decision"
    )
    cpu_core_hours = models.PositiveBigIntegerField(_("granted CPU core-hours"))
    gpu_hours = models.PositiveBigIntegerField(_("granted GPU hours"), default=0)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Required when less than asked is granted."))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Granting beyond what is left of the round's budget is the operators' explicit choice, and says why.
    override_budget = models.BooleanField(
        _("beyond the round's remaining budget"),
        default=False,
        help_text=_("Grant more than what is left of the round's budget (say why)."),
    )
    override_reason = models.TextField(_("why beyond the budget"), blank=True)

    objects = RequestScopedQuerySet.as_manager()

    class Meta:
        ordering = ["request"]
        verbose_name = _("decision")

    def __str__(self) -> str:
        return f"{self.request}: {self.cpu_core_hours} core-hours, {self.gpu_hours} GPU hours"

    def clean(self):
        if not self.request_id:
            return
        if self.request.project.status == Project.Status.CLOSED:
            raise ValidationError(_("A closed project takes no new hours."))
        asked = self.request
        if self.cpu_core_hours > asked.cpu_core_hours or self.gpu_hours > asked.gpu_hours:
            raise ValidationError(_("The committee grants at most what was asked."))
        if (self.cpu_core_hours < asked.cpu_core_hours or self.gpu_hours < asked.gpu_hours) and not self.reason.strip():
            raise ValidationError({"reason": _("Say why less than asked is granted.")})
        beyond = self.beyond_budgets()
        if beyond and not self.override_budget:
            raise ValidationError({"override_budget": beyond})
        if beyond and not self.override_reason.strip():
            raise ValidationError({"override_reason": _("Say why the round's budget is exceeded.")})

    def beyond_budgets(self) -> list[str]:
        """What this decision would exceed, in words (the round's budget, its theme's, its laboratory's): each says
        how much is left; granting beyond any of them needs the explicit override, with a reason."""
        from mesocentre.hpc.models.budgets import budgets_for

        asked = self.request
        problems = []
        cpu_left, gpu_left = asked.round.remaining(exclude_request=asked)
        if self.cpu_core_hours > max(cpu_left, 0) or self.gpu_hours > max(gpu_left, 0):
            problems.append(
                _(
                    "The round has %(cpu)s core-hours and %(gpu)s GPU hours left: granting more needs an "
                    "explicit override of the budget, with a reason."
                )
                % {"cpu": number(max(cpu_left, 0)), "gpu": number(max(gpu_left, 0))}
            )
        for line in budgets_for(asked):
            cpu_left, gpu_left = line.remaining(exclude_request=asked)
            if self.cpu_core_hours > max(cpu_left, 0) or self.gpu_hours > max(gpu_left, 0):
                figures = {"subject": line.subject, "cpu": number(max(cpu_left, 0)), "gpu": number(max(gpu_left, 0))}
                message = (
                    _(
                        "The budget of the theme %(subject)s has %(cpu)s core-hours and %(gpu)s GPU hours left in "
                        "this round: granting more needs an explicit override of the budget, with a reason."
                    )
                    if line.theme_id
                    else _(
                        "The budget of the laboratory %(subject)s has %(cpu)s core-hours and %(gpu)s GPU hours left "
                        "in this round: granting more needs an explicit override of the budget, with a reason."
                    )
                )
                problems.append(message % figures)
        return problems


class Allocation(TimestampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("allocation status", "active")
        SUSPENDED = "suspended", pgettext_lazy("allocation status", "suspended")
        EXPIRED = "expired", pgettext_lazy("allocation status", "expired")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="allocations"
    )
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocation"
    )
    cluster = models.CharField(_("cluster"), max_length=40, default=DEFAULT_CLUSTER)
    cpu_core_hours = models.PositiveBigIntegerField(_("granted CPU core-hours"))
    gpu_hours = models.PositiveBigIntegerField(_("granted GPU hours"), default=0)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # The day it actually expired (an end date may pass unnoticed for a while): the grace period counts from then.
    expired_on = models.DateField(_("expired on"), null=True, blank=True, editable=False)
    # What the project holds of the HPC offering through it (``hpc.holdings``): the periods of hours billing reads.
    # Empty when the catalogue has no HPC offering; a new one when it is granted again after it was terminated.
    resource = models.OneToOneField(
        "resources.Resource",
        verbose_name=_("resource"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="hpc_allocation",
    )

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "starts_on"]
        verbose_name = _("allocation")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="projects_allocation_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} on {self.cluster} ({self.starts_on} → {self.ends_on})"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An allocation cannot end before it starts.")})
        check_hours(cpu_core_hours=self.cpu_core_hours, gpu_hours=self.gpu_hours)
        if self.status != self.Status.EXPIRED and self.project_id and self.project.status == Project.Status.CLOSED:
            # Else an extension or a resume would give a closed project hours, and its account would never go.
            raise ValidationError({"status": _("A closed project takes no new hours: its allocations stay expired.")})

    def has_started(self, today=None) -> bool:
        """An allocation counts from its start date (in the Slurm limit, in consumed / granted)."""
        return self.starts_on <= (today or timezone.localdate())

    @property
    def is_scheduled(self) -> bool:
        """Active but not started yet: it counts from its start date."""
        return self.status == self.Status.ACTIVE and not self.has_started()

    def set_status(self, status: str, today=None) -> None:
        """Change the status; an expiry records its day, anything else clears it."""
        self.status = status
        self.expired_on = (today or timezone.localdate()) if status == self.Status.EXPIRED else None

    def _approved_extra(self, field: str) -> int:
        # Summed here rather than by the database, so that a prefetch serves many allocations in one query.
        changes = self.change_requests.all()
        return sum(getattr(c, field) for c in changes if c.status == ChangeRequest.Status.APPROVED)

    @property
    def total_cpu_core_hours(self) -> int:
        """Granted, plus what approved change requests added."""
        return self.cpu_core_hours + self._approved_extra("extra_cpu_core_hours")

    @property
    def total_gpu_hours(self) -> int:
        return self.gpu_hours + self._approved_extra("extra_gpu_hours")


class ChangeRequest(TimestampedModel):
    class Kind(models.TextChoices):
        MORE_HOURS = "more_hours", _("more hours")
        EXTENSION = "extension", _("extension")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("change request status", "pending")
        APPROVED = "approved", pgettext_lazy("change request status", "approved")
        REFUSED = "refused", pgettext_lazy("change request status", "refused")

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.CASCADE, related_name="change_requests"
    )
    change_type = models.CharField(_("type of change"), max_length=20, choices=Kind.choices)
    extra_cpu_core_hours = models.PositiveBigIntegerField(_("extra CPU core-hours"), default=0)
    extra_gpu_hours = models.PositiveBigIntegerField(_("extra GPU hours"), default=0)
    new_ends_on = models.DateField(_("new end date"), null=True, blank=True)
    justification = models.TextField(_("justification"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AllocationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["allocation", "created"]
        verbose_name = _("change request")

    def __str__(self) -> str:
        return f"{self.get_change_type_display()} for {self.allocation}"

    def clean(self):
        closed = self.allocation_id and self.allocation.project.status == Project.Status.CLOSED
        if closed and self.status != self.Status.REFUSED:
            raise ValidationError(_("A closed project takes no new hours: this change can only be refused."))
        check_hours(extra_cpu_core_hours=self.extra_cpu_core_hours, extra_gpu_hours=self.extra_gpu_hours)
        if self.change_type == self.Kind.MORE_HOURS and not (self.extra_cpu_core_hours or self.extra_gpu_hours):
            raise ValidationError({"extra_cpu_core_hours": _("Ask for some more core-hours or GPU hours.")})
        if self.change_type == self.Kind.MORE_HOURS and self.new_ends_on:
            raise ValidationError({"new_ends_on": _("More hours do not move the end date: ask for an extension.")})
        if self.change_type == self.Kind.EXTENSION and (self.extra_cpu_core_hours or self.extra_gpu_hours):
            raise ValidationError(
                {"extra_cpu_core_hours": _("An extension moves the end date only: ask for more hours separately.")}
            )
        if self.change_type == self.Kind.EXTENSION:
            if not self.new_ends_on:
                raise ValidationError({"new_ends_on": _("An extension needs the new end date.")})
            if self.allocation_id and self.new_ends_on <= self.allocation.ends_on:
                raise ValidationError({"new_ends_on": _("An extension ends after the allocation's current end.")})
