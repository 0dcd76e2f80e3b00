"""A round's budget shared out by scientific theme and by laboratory: the committee's envelopes within the round."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import number
from mesocentre.core.models import PublicQuerySet, TimestampedModel
from mesocentre.hpc.models.calls import Round, check_hours
from mesocentre.tenancy.models import Laboratory, ScientificTheme


class RoundBudget(TimestampedModel):
    """The hours of a round kept for one theme or for one laboratory (exactly one). The theme lines together stay
    within the round's budget, and so do the laboratory lines: they are two ways of sharing out the same hours."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="budgets")
    theme = models.ForeignKey(
        ScientificTheme,
        verbose_name=_("scientific theme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="round_budgets",
    )
    laboratory = models.ForeignKey(
        Laboratory,
        verbose_name=_("laboratory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="round_budgets",
    )
    cpu_budget = models.PositiveBigIntegerField(_("core-hour budget"), default=0)
    gpu_budget = models.PositiveBigIntegerField(_("GPU-hour budget"), default=0)

    # Rounds are reference data (the API lists them to everyone), and so are their envelopes.
    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["round", "theme__name", "laboratory__code"]
        verbose_name = _("round budget")
        constraints = [
            models.CheckConstraint(
                condition=Q(theme__isnull=False, laboratory__isnull=True)
                | Q(theme__isnull=True, laboratory__isnull=False),
                name="projects_roundbudget_theme_or_laboratory",
            ),
            models.UniqueConstraint(
                fields=["round", "theme"], condition=Q(theme__isnull=False), name="projects_roundbudget_unique_theme"
            ),
            models.UniqueConstraint(
                fields=["round", "laboratory"],
                condition=Q(laboratory__isnull=False),
                name="projects_roundbudget_unique_laboratory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.subject}"

    @property
    def kind(self) -> str:
        return "theme" if self.theme_id else "laboratory"

    @property
    def subject(self):
        return self.theme if self.theme_id else self.laboratory

    def siblings(self):
        """The round's other lines of the same kind (theme lines, or laboratory lines)."""
        lines = RoundBudget.objects.filter(round_id=self.round_id).exclude(pk=self.pk)
        return lines.filter(theme__isnull=False) if self.theme_id else lines.filter(laboratory__isnull=False)

    def clean(self):
        if bool(self.theme_id) == bool(self.laboratory_id):
            raise ValidationError({"theme": _("A budget line is for one scientific theme or for one laboratory.")})
        check_hours(cpu_budget=self.cpu_budget, gpu_budget=self.gpu_budget)
        if not self.round_id:
            return
        if self.siblings().filter(theme_id=self.theme_id, laboratory_id=self.laboratory_id).exists():
            field = "theme" if self.theme_id else "laboratory"
            raise ValidationError(
                {field: _("This round already has a budget for %(subject)s.") % {"subject": self.subject}}
            )
        taken = self.siblings().aggregate(cpu=Sum("cpu_budget"), gpu=Sum("gpu_budget"))
        for field, mine, others, whole in (
            ("cpu_budget", self.cpu_budget, taken["cpu"] or 0, self.round.cpu_budget),
            ("gpu_budget", self.gpu_budget, taken["gpu"] or 0, self.round.gpu_budget),
        ):
            if mine is not None and mine + others > whole:
                message = (
                    _("The theme budgets together may not exceed the round's: %(left)s of %(whole)s are left.")
                    if self.theme_id
                    else _(
                        "The laboratory budgets together may not exceed the round's: %(left)s of %(whole)s are left."
                    )
                )
                raise ValidationError(
                    {field: message % {"left": number(max(whole - others, 0)), "whole": number(whole)}}
                )

    def granted(self, exclude_request=None) -> tuple[int, int]:
        """(core-hours, GPU hours) the round's decisions granted to this theme's or laboratory's projects."""
        from mesocentre.hpc.models.allocations import Decision

        decisions = Decision.objects.filter(request__round_id=self.round_id)
        if self.theme_id:
            decisions = decisions.filter(request__project__theme_id=self.theme_id)
        else:
            decisions = decisions.filter(request__project__laboratory_id=self.laboratory_id)
        if exclude_request is not None:
            decisions = decisions.exclude(request=exclude_request)
        granted = decisions.aggregate(cpu=Sum("cpu_core_hours"), gpu=Sum("gpu_hours"))
        return granted["cpu"] or 0, granted["gpu"] or 0

    def remaining(self, exclude_request=None) -> tuple[int, int]:
        """What is left of the line (negative when operators overrode it)."""
        cpu, gpu = self.granted(exclude_request)
        return self.cpu_budget - cpu, self.gpu_budget - gpu


def budgets_for(request) -> list[RoundBudget]:
    """The lines of ``request``'s round that its project draws on: its theme's and its laboratory's, if set."""
    project = request.project
    return list(
        RoundBudget.objects.filter(round_id=request.round_id)
        .filter(Q(theme_id=project.theme_id) | Q(laboratory_id=project.laboratory_id))
        .select_related("theme", "laboratory")
    )
