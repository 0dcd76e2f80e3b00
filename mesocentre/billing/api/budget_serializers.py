"""The budgets' API: a budget with what its holder spent and will have spent (read-only, computed for a whole page
at once: ``budgets.figures_of``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from mesocentre.billing.budget_models import Budget, may_set
from mesocentre.billing.budgets import Figures, figures_of
from mesocentre.core.api import ScopedRelationsMixin

DECIMAL = {"type": "string", "format": "decimal", "nullable": True}  # null when a draft cannot be computed


def _text(value) -> str | None:
    return None if value is None else str(value)


class BudgetListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        budgets = list(data.all() if hasattr(data, "all") else data)
        self.child.figures = figures_of(budgets, timezone.localdate())
        return super().to_representation(budgets)


class BudgetSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    spent_ht = serializers.SerializerMethodField(help_text="Spent so far in the period, HT (invoices and drafts).")
    forecast_ht = serializers.SerializerMethodField(help_text="Forecast at the period's end, HT.")
    percent = serializers.SerializerMethodField(help_text="Spent as a percentage of the budget.")
    alerts = serializers.SerializerMethodField(help_text="The thresholds (80, 100) whose alert was sent.")
    error = serializers.SerializerMethodField(help_text="Why spent and forecast are null, when they are.")

    class Meta:
        model = Budget
        fields = [
            "id",
            "establishment",
            "project",
            "period",
            "year",
            "quarter",
            "amount_ht",
            "spent_ht",
            "forecast_ht",
            "percent",
            "alerts",
            "error",
        ]
        list_serializer_class = BudgetListSerializer
        # The holder and uniqueness rules are checked in validate(), naming the field.
        validators: list = []

    figures: dict[int, Figures] | None = None

    def _figures(self, budget: Budget) -> Figures:
        if not self.figures or budget.pk not in self.figures:
            self.figures = {**(self.figures or {}), **figures_of([budget], timezone.localdate())}
        return self.figures[budget.pk]

    @extend_schema_field(DECIMAL)
    def get_spent_ht(self, budget: Budget) -> str | None:
        return _text(self._figures(budget).spent)

    @extend_schema_field(DECIMAL)
    def get_forecast_ht(self, budget: Budget) -> str | None:
        return _text(self._figures(budget).forecast)

    @extend_schema_field(DECIMAL)
    def get_percent(self, budget: Budget) -> str | None:
        return _text(self._figures(budget).percent)

    def get_error(self, budget: Budget) -> str:
        return self._figures(budget).error

    def get_alerts(self, budget: Budget) -> list[int]:
        return sorted(alert.threshold for alert in budget.alerts.all())

    def validate(self, attrs: dict) -> dict:
        names = ("establishment", "project", "period", "year", "quarter", "amount_ht")
        merged = {name: attrs[name] if name in attrs else getattr(self.instance, name, None) for name in names}
        budget = Budget(pk=getattr(self.instance, "pk", None), **merged)
        try:
            budget.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        request = self.context.get("request")
        if request is not None and not may_set(request.user, merged["establishment"], merged["project"]):
            raise PermissionDenied(_("You may not set this budget: ask its establishment's managers."))
        holder = "establishment" if merged["establishment"] else "project"
        taken = Budget.objects.filter(
            **{holder: merged[holder]}, period=merged["period"], year=merged["year"], quarter=merged["quarter"]
        )
        if taken.exclude(pk=budget.pk).exists():
            raise serializers.ValidationError(
                {
                    "year": _("%(holder)s has a budget for %(period)s already.")
                    % {"holder": budget.holder, "period": budget.period_label}
                }
            )
        return attrs
