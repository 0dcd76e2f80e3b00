"""Calls for projects, their rounds, allocation requests and the committee's reviews."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core.formatting import moment, number
from mesocentre.core.models import PublicQuerySet, ScopedQuerySet, TimestampedModel, TracksFields
from mesocentre.core.roles import is_operator
from mesocentre.projects.models.projects import Project, ProjectScopedQuerySet

# The most hours anything of the allocation path may hold (a round's budget, a request, a grant, a change): far
# beyond any regional centre (the largest national ones grant ~10^9 core-hours a year) and, in minutes (6·10^13),
# far within the unsigned 64-bit integers Slurm keeps a GrpTRESMins limit in. An absurd figure is refused here,
# before it reaches a budget or the queue.
MAX_HOURS = 10**12


def check_hours(**figures) -> None:
    """Refuse, naming the field, any of ``figures`` (field name → hours) above ``MAX_HOURS``."""
    for name, value in figures.items():
        if value is not None and value > MAX_HOURS:
            raise ValidationError(
                {
                    name: _("At most %(max)s hours: %(value)s is beyond any budget.")
                    % {"max": number(MAX_HOURS), "value": number(value)}
                }
            )


class Call(TimestampedModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("call")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # /hpc/calls/new/ is the page that opens a call: no call may be reached at that address.
        if self.code and self.code.lower() == "new":
            raise ValidationError({"code": _("“new” names the page that opens a call: choose another code.")})


class Round(TimestampedModel):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("name"), max_length=100)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    cpu_budget = models.PositiveBigIntegerField(_("core-hour budget"))
    gpu_budget = models.PositiveBigIntegerField(_("GPU-hour budget"), default=0)
    # When the committee's reviews are due: reviewers list their assignments by it (else by the closing date).
    reviews_due_on = models.DateField(_("reviews due on"), null=True, blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["call", "opens_at"]
        verbose_name = _("round")
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="projects_round_unique_name"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="projects_round_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.call} — {self.name}"

    def is_open_at(self, moment) -> bool:
        return self.opens_at <= moment < self.closes_at

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())

    def is_upcoming_at(self, moment) -> bool:
        return moment < self.opens_at

    @property
    def reviews_due(self):
        """The day reviews are due: the one set, else the day the round closes."""
        return self.reviews_due_on or timezone.localdate(self.closes_at)

    def clean(self):
        for name in ("opens_at", "closes_at"):
            # A year like 9999 would overflow once moved to local time: refuse it here, as a 400.
            value = getattr(self, name)
            if value and not 2000 <= value.year <= 2999:
                raise ValidationError({name: _("A round's dates lie between the years 2000 and 2999.")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A round closes after it opens.")})
        check_hours(cpu_budget=self.cpu_budget, gpu_budget=self.gpu_budget)
        if self.reviews_due_on and self.closes_at and self.reviews_due_on < timezone.localdate(self.closes_at):
            raise ValidationError({"reviews_due_on": _("Reviews are due on the day the round closes, or after.")})
        if self.pk:
            self._check_shares()

    def _check_shares(self) -> None:
        # A smaller budget must still hold what its theme and laboratory lines share out of it.
        for kind in ("theme", "laboratory"):
            lines = self.budgets.filter(**{f"{kind}__isnull": False})
            shared = lines.aggregate(cpu=models.Sum("cpu_budget"), gpu=models.Sum("gpu_budget"))
            for field, budget, taken in (
                ("cpu_budget", self.cpu_budget, shared["cpu"] or 0),
                ("gpu_budget", self.gpu_budget, shared["gpu"] or 0),
            ):
                if budget is not None and budget < taken:
                    message = (
                        _("The round's budget lines by theme already share out %(taken)s hours.")
                        if kind == "theme"
                        else _("The round's budget lines by laboratory already share out %(taken)s hours.")
                    )
                    raise ValidationError({field: message % {"taken": number(taken)}})

    def remaining(self, exclude_request=None) -> tuple[int, int]:
        """(core-hours, GPU hours) of the budget not yet granted by the round's decisions (but ``exclude_request``'s,
        which is being decided again); negative when operators overrode it."""
        from mesocentre.hpc.models.allocations import Decision

        decisions = Decision.objects.filter(request__round=self)
        if exclude_request is not None:
            decisions = decisions.exclude(request=exclude_request)
        granted = decisions.aggregate(cpu=models.Sum("cpu_core_hours"), gpu=models.Sum("gpu_hours"))
        return self.cpu_budget - (granted["cpu"] or 0), self.gpu_budget - (granted["gpu"] or 0)


class AllocationRequest(TracksFields, TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("allocation request status", "draft")
        SUBMITTED = "submitted", pgettext_lazy("allocation request status", "submitted")
        UNDER_REVIEW = "under_review", pgettext_lazy("allocation request status", "under review")
        DECIDED = "decided", pgettext_lazy("allocation request status", "decided")
        WITHDRAWN = "withdrawn", pgettext_lazy("allocation request status", "withdrawn")

    # The state transitions, in one table. A request is withdrawn by its PI until it is reviewed or decided; a
    # withdrawn request keeps its round's slot (one request per project and round) and is submitted again by
    # editing it while the round is open (``request_services``).
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.UNDER_REVIEW, Status.DECIDED, Status.WITHDRAWN},
        Status.UNDER_REVIEW: {Status.DECIDED, Status.WITHDRAWN},
        Status.DECIDED: set(),
        Status.WITHDRAWN: {Status.SUBMITTED},
    }

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="requests")
    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="requests")
    cpu_core_hours = models.PositiveBigIntegerField(_("CPU core-hours"))
    gpu_hours = models.PositiveBigIntegerField(_("GPU hours"), default=0)
    scratch_gb = models.PositiveIntegerField(_("scratch storage (GB)"), default=0)
    justification = models.TextField(_("justification"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = ProjectScopedQuerySet.as_manager()
    tracked_fields = ("status",)

    class Meta:
        ordering = ["round", "project"]
        verbose_name = _("allocation request")
        constraints = [
            models.UniqueConstraint(fields=["project", "round"], name="projects_request_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} in {self.round}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.remember_loaded()  # the next change of this instance is checked against what is stored now

    def clean(self):
        before = self.changed_fields().get("status")
        if before is not None and self.status not in self.TRANSITIONS[before]:
            raise ValidationError(
                {
                    "status": _("This request is %(status)s: it cannot become %(new)s.")
                    % {"status": self.Status(before).label, "new": self.Status(self.status).label}
                }
            )
        if self.status != self.Status.DRAFT and self.round_id and self.submitted_at is None:
            raise ValidationError({"submitted_at": _("A submitted request records when it was submitted.")})
        if self.submitted_at and self.round_id and not self.round.is_open_at(self.submitted_at):
            raise ValidationError(
                {
                    "round": _("This round is not open: it accepts requests from %(opens)s to %(closes)s.")
                    % {
                        "opens": moment(self.round.opens_at),
                        "closes": moment(self.round.closes_at),
                    }
                }
            )
        if self.cpu_core_hours == 0 and self.gpu_hours == 0:
            raise ValidationError({"cpu_core_hours": _("Ask for some CPU core-hours or GPU hours.")})
        check_hours(cpu_core_hours=self.cpu_core_hours, gpu_hours=self.gpu_hours)
        if self.round_id:
            # A request asks at most the whole round's budget; how much is left is the committee's to weigh.
            for field, asked, budget in (
                ("cpu_core_hours", self.cpu_core_hours, self.round.cpu_budget),
                ("gpu_hours", self.gpu_hours, self.round.gpu_budget),
            ):
                if asked is not None and asked > budget:
                    raise ValidationError(
                        {
                            field: _("A request asks at most its round's budget: %(budget)s.")
                            % {"budget": number(budget)}
                        }
                    )


class ReviewAssignmentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Operators, and the reviewer themself: a PI does not learn who reviews them."""
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(reviewer=user)


def conflict_of_interest(reviewer, project) -> str | None:
    """Why ``reviewer`` may not review ``project``, in words; None when they may."""
    labs = set(reviewer.memberships.exclude(laboratory=None).values_list("laboratory_id", flat=True))
    if project.laboratory_id in labs:
        return _("%(reviewer)s cannot review %(project)s: they belong to its laboratory, %(lab)s.") % {
            "reviewer": reviewer,
            "project": project.code,
            "lab": project.laboratory.code,
        }
    if project.memberships.filter(user=reviewer).exists():
        return _("%(reviewer)s cannot review %(project)s: they are a member of it.") % {
            "reviewer": reviewer,
            "project": project.code,
        }
    return None


class ReviewAssignment(TimestampedModel):
    request = models.ForeignKey(
        AllocationRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["request", "reviewer"]
        verbose_name = _("review assignment")
        constraints = [
            models.UniqueConstraint(fields=["request", "reviewer"], name="projects_assignment_unique_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.request}"

    def clean(self):
        if not (self.request_id and self.reviewer_id):
            return
        if not self.reviewer.is_reviewer:
            raise ValidationError({"reviewer": _("%(user)s is not a committee reviewer.") % {"user": self.reviewer}})
        reason = conflict_of_interest(self.reviewer, self.request.project)
        if reason:
            raise ValidationError({"reviewer": reason})


class ReviewQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Operators; the reviewer; the project's people once the request is decided (public comment only)."""
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(assignment__reviewer=user)
            | Q(
                assignment__request__status=AllocationRequest.Status.DECIDED,
                assignment__request__project__memberships__user=user,
            )
        ).distinct()


class Review(TimestampedModel):
    assignment = models.OneToOneField(
        ReviewAssignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="review"
    )
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    private_comment = models.TextField(_("comment for the committee"), blank=True)
    public_comment = models.TextField(_("comment for the PI"), blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["assignment"]
        verbose_name = _("review")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="projects_review_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} — {self.score}/5"

    def clean(self):
        if self.score is not None and not 1 <= self.score <= 5:
            raise ValidationError({"score": _("A score is from 1 to 5.")})
