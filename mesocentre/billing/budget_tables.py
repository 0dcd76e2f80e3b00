"""The budgets' list of the portal: each budget with what was spent, its share of the budget and the forecast,
computed once for the page's rows (``budgets.figures_of``)."""

import datetime

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.budget_models import Budget
from mesocentre.billing.budgets import Figures, figures_of
from mesocentre.core.formatting import money, percent
from mesocentre.core.tables import BaseTable


class BudgetTable(BaseTable):
    holder = tables.Column(accessor="pk", orderable=False, verbose_name=_("Establishment or project"))
    period = tables.Column(accessor="year", verbose_name=_("Period"), order_by=("year", "quarter"))
    amount_ht = tables.Column(verbose_name=_("Budget HT"))
    spent = tables.Column(accessor="pk", orderable=False, verbose_name=_("Spent HT"))
    share = tables.Column(accessor="pk", orderable=False, verbose_name=_("Spent (% of budget)"))
    forecast = tables.Column(accessor="pk", orderable=False, verbose_name=_("Forecast at the period's end HT"))

    class Meta(BaseTable.Meta):
        model = Budget
        fields = ()
        order_by = ("-period",)
        empty_text = _("No budget matches the filters.")

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self._figures: dict[int, Figures] | None = None

    def figures(self, record: Budget) -> Figures:
        if self._figures is None:  # the page's rows at once, not one reading per row
            rows = self.page.object_list if getattr(self, "page", None) else self.rows
            self._figures = figures_of([row.record for row in rows], self.today)
        return self._figures[record.pk]

    def render_holder(self, record: Budget) -> str:
        if record.establishment_id:
            return str(record.establishment)
        return _("project %(code)s") % {"code": record.project.code}

    def render_period(self, record: Budget) -> str:
        return record.period_label

    def render_amount_ht(self, value) -> str:
        return money(value, cents=True)

    def render_spent(self, record: Budget) -> str:
        figures = self.figures(record)
        return figures.error if figures.spent is None else money(figures.spent, cents=True)

    def render_share(self, record: Budget) -> str:
        share = self.figures(record).percent
        return "—" if share is None else percent(share, 1)

    def render_forecast(self, record: Budget) -> str:
        figures = self.figures(record)
        if figures.forecast is None:
            return "—"
        return f"{money(figures.forecast, cents=True)} ({percent(figures.forecast_percent, 1)})"
