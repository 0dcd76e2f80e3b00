"""Budgets: what an establishment or a project means to spend in a quarter or a year (HT), and the alerts sent
when its spending reaches 80 % and 100 % of it (``billing.budgets`` computes and checks).

Who sets which (``Budget.objects.editable_by``): operators every budget; an establishment's managers its own
budgets and those of the projects it pays for; a project's PI and managers their project's. Whoever may set a
budget reads it, and nobody else.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core.models import ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator
from mesocentre.projects.models import Project
from mesocentre.tenancy.models import Establishment

MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_AMOUNT = Decimal("999999999999.99")
FIRST_YEAR, LAST_YEAR = 2000, 2999  # as rating.Quarter


class BudgetQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.editable_by(user)

    def editable_by(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        managed = Establishment.objects.managed_by(user)
        return self.filter(
            Q(establishment__in=managed)
            | Q(project__paying_establishment__in=managed)
            | Q(project__in=Project.objects.managed_by(user))
        ).distinct()


class Budget(TimestampedModel):
    class Period(models.TextChoices):
        QUARTER = "quarter", pgettext_lazy("budget period", "quarter")
        YEAR = "year", pgettext_lazy("budget period", "year")

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("establishment"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="budgets", verbose_name=_("project")
    )
    period = models.CharField(_("period"), max_length=7, choices=Period.choices)
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, help_text=_("1 to 4 for a quarter's budget; empty for a year's.")
    )
    amount_ht = models.DecimalField(_("amount HT"), **MONEY)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget")
        ordering = ["-year", "-quarter", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(establishment__isnull=False, project__isnull=True))
                | Q(establishment__isnull=True, project__isnull=False),
                name="billing_budget_one_holder",
            ),
            models.CheckConstraint(
                condition=Q(period="quarter", quarter__gte=1, quarter__lte=4) | Q(period="year", quarter__isnull=True),
                name="billing_budget_quarter_of_its_period",
            ),
            models.CheckConstraint(condition=Q(amount_ht__gt=0), name="billing_budget_amount_positive"),
            models.UniqueConstraint(
                fields=("establishment", "period", "year", "quarter"),
                condition=Q(establishment__isnull=False, quarter__isnull=False),
                name="billing_budget_establishment_quarter_unique",
            ),
            models.UniqueConstraint(
                fields=("establishment", "period", "year"),
                condition=Q(establishment__isnull=False, quarter__isnull=True),
                name="billing_budget_establishment_year_unique",
            ),
            models.UniqueConstraint(
                fields=("project", "period", "year", "quarter"),
                condition=Q(project__isnull=False, quarter__isnull=False),
                name="billing_budget_project_quarter_unique",
            ),
            models.UniqueConstraint(
                fields=("project", "period", "year"),
                condition=Q(project__isnull=False, quarter__isnull=True),
                name="billing_budget_project_year_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} {self.period_label}"

    @property
    def holder(self):
        return self.establishment if self.establishment_id else self.project

    @property
    def period_label(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.period == self.Period.QUARTER else str(self.year)

    @property
    def first_day(self) -> datetime.date:
        month = 3 * self.quarter - 2 if self.period == self.Period.QUARTER else 1
        return datetime.date(self.year, month, 1)

    @property
    def end(self) -> datetime.date:
        """The day after the period (excluded)."""
        if self.period == self.Period.YEAR or self.quarter == 4:
            return datetime.date(self.year + 1, 1, 1)
        return datetime.date(self.year, 3 * self.quarter + 1, 1)

    @property
    def quarters(self) -> list[int]:
        return [self.quarter] if self.period == self.Period.QUARTER else [1, 2, 3, 4]

    def clean(self):
        errors = {}
        if bool(self.establishment_id) == bool(self.project_id):
            message = _("A budget is an establishment's or a project's: give exactly one of them.")
            errors["establishment" if self.establishment_id else "project"] = message
        if self.year is None or not FIRST_YEAR <= self.year <= LAST_YEAR:
            errors["year"] = _("The year is between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        if self.period == self.Period.QUARTER and self.quarter not in (1, 2, 3, 4):
            errors["quarter"] = _("A quarter's budget names its quarter, 1 to 4.")
        elif self.period == self.Period.YEAR and self.quarter is not None:
            errors["quarter"] = _("A year's budget names no quarter.")
        if self.amount_ht is not None and not Decimal(0) < self.amount_ht <= MAX_AMOUNT:
            errors["amount_ht"] = _("The amount HT is more than 0 and at most %(max)s.") % {"max": MAX_AMOUNT}
        elif self.amount_ht is not None and self.amount_ht != self.amount_ht.quantize(Decimal("0.01")):
            errors["amount_ht"] = _("The amount HT is in euros and cents (two decimals at most).")
        if errors:
            raise ValidationError(errors)


class BudgetAlert(models.Model):
    """An alert sent: one per budget and threshold, ever (the unique constraint settles two checkers racing)."""

    class Threshold(models.IntegerChoices):
        EIGHTY = 80, "80 %"
        HUNDRED = 100, "100 %"

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("budget"))
    threshold = models.PositiveSmallIntegerField(_("threshold"), choices=Threshold.choices)
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("budget alert")
        constraints = [
            models.UniqueConstraint(fields=("budget", "threshold"), name="billing_budgetalert_once"),
            models.CheckConstraint(condition=Q(threshold__in=[80, 100]), name="billing_budgetalert_threshold_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_id} {self.threshold} %"


def may_set(user, establishment: Establishment | None, project: Project | None) -> bool:
    """Whether ``user`` may set a budget of this holder (the rule of ``BudgetQuerySet.editable_by``)."""
    if is_operator(user):
        return True
    if not user.is_authenticated:
        return False
    managed = Establishment.objects.managed_by(user)
    if establishment is not None:
        return managed.filter(pk=establishment.pk).exists()
    if project is not None:
        return (
            managed.filter(pk=project.paying_establishment_id).exists()
            or Project.objects.managed_by(user).filter(pk=project.pk).exists()
        )
    return True  # no holder: the model's validation names the field
