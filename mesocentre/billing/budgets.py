"""What a budget's holder spent in its period, what it will have spent at the period's end, and the alerts at 80 %
and 100 % of the budget (``mesocentre budgets check``, daily).

**Spent** (HT) on a day, for the quarters of the period that have begun by then:
- a quarter invoiced: its invoice's lines and those of the credit notes that correct it (negative), as issued;
- a quarter not invoiced yet (running, or ended and not issued): its draft (``rating.draft``) as computed that day —
  the subscriptions held, at the quarter's rate to its end (a quarter is billed for what is held in it), the hours
  and the kWh recorded so far.
A project's budget counts its own lines only, on the invoices and drafts of whichever establishments paid for it.

**Forecast** to the period's end — not the plain "spent × days in the period ÷ days elapsed", which would multiply
the subscriptions a draft already counts to the quarter's end: here only what is used by the day (the HPC hours,
lines of an HPC offering) is extrapolated.
- an ended quarter: its spending;
- the running quarter: its subscriptions as the draft has them + its hours × days in the quarter ÷ days elapsed
  (today counted as elapsed);
- a quarter of a year's budget not begun yet: its draft's subscriptions (what is held now, at the prices valid
  then) + the running quarter's daily rate of hours × its days.
A period not begun has spent and forecast nothing; a period over forecasts what it spent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesocentre.billing import money, rating
from mesocentre.billing.budget_models import Budget, BudgetAlert
from mesocentre.billing.invoice_models import Invoice, InvoiceLine
from mesocentre.catalogue.models import Offering
from mesocentre.core.notify import notify
from mesocentre.projects.models import PayerPeriod, ProjectMembership
from mesocentre.tenancy.models import Establishment, Membership

ZERO = Decimal("0.00")
THRESHOLDS = (80, 100)


@dataclass(frozen=True)
class Figures:
    """A budget's figures (HT); ``spent`` and ``forecast`` None, and ``error`` saying why, when a quarter's draft
    cannot be computed (a price missing on a day): a budget's page must not fail for one establishment's catalogue."""

    spent: Decimal | None
    forecast: Decimal | None
    amount: Decimal
    error: str = ""

    @property
    def percent(self) -> Decimal | None:
        """Spent as a percentage of the budget."""
        return _percent(self.spent, self.amount)

    @property
    def forecast_percent(self) -> Decimal | None:
        return _percent(self.forecast, self.amount)


def _percent(value: Decimal | None, amount: Decimal) -> Decimal | None:
    """A percentage to two decimals (half-up, the money module's rounding); pages show one."""
    if value is None or not amount:
        return None
    return money.to_cents(value * 100 / amount)


@dataclass
class _Quarter:
    """One quarter of one establishment as a budget reads it: per project, its subscriptions and its hours."""

    fixed: dict[str, Decimal]
    usage: dict[str, Decimal]


class Ledger:
    """The invoices and drafts the budgets of one reading need, each read or computed once (a list of budgets
    costs the same queries whatever its length, plus one draft per establishment and quarter not invoiced)."""

    def __init__(self, budgets: list[Budget], today: datetime.date):
        self.today = today
        self._drafts: dict[tuple[int, str], _Quarter | ValidationError] = {}
        self._hpc = set(Offering.objects.filter(kind=Offering.Kind.HPC).values_list("code", flat=True))
        projects = [b.project for b in budgets if b.project_id]
        self.payers: dict[int, set[int]] = defaultdict(set)
        for project in projects:
            if project.paying_establishment_id:
                self.payers[project.pk].add(project.paying_establishment_id)
        rows = PayerPeriod.objects.filter(project__in=projects).values_list("project_id", "establishment_id")
        for project_id, establishment_id in rows:
            self.payers[project_id].add(establishment_id)
        establishments = {b.establishment_id for b in budgets if b.establishment_id}
        establishments |= {e for payers in self.payers.values() for e in payers}
        quarters = {f"{b.year}Q{q}" for b in budgets for q in b.quarters}
        self.invoiced = set(
            Invoice.objects.filter(
                kind=Invoice.Kind.INVOICE, establishment__in=establishments, quarter__in=quarters
            ).values_list("establishment_id", "quarter")
        )
        self.issued: dict[tuple[int, str, str], Decimal] = {}
        lines = (
            InvoiceLine.objects.filter(invoice__establishment__in=establishments, invoice__quarter__in=quarters)
            .values("invoice__establishment", "invoice__quarter", "project")
            .annotate(total=Sum("amount_ht"))
        )
        for row in lines:
            self.issued[(row["invoice__establishment"], row["invoice__quarter"], row["project"])] = row["total"]
        self._establishments: dict[int, Establishment] = Establishment.objects.in_bulk(establishments)

    def _draft(self, establishment_id: int, quarter: rating.Quarter) -> _Quarter:
        key = (establishment_id, str(quarter))
        if key not in self._drafts:
            result = _Quarter(defaultdict(lambda: ZERO), defaultdict(lambda: ZERO))
            try:
                for line in rating.draft(self._establishments[establishment_id], quarter).lines:
                    # Only the quarter's own hours are a pace to extrapolate; late hours of an earlier quarter
                    # (their own dated lines) are spent once, like a subscription.
                    running = line.offering in self._hpc and line.period_start >= quarter.first_day
                    part = result.usage if running else result.fixed
                    part[line.project] += line.amount_ht
            except ValidationError as exc:  # remembered: the other budgets of the establishment need it too
                self._drafts[key] = exc
            else:
                self._drafts[key] = result
        found = self._drafts[key]
        if isinstance(found, ValidationError):
            raise found
        return found

    def quarter(self, budget: Budget, number: int) -> tuple[Decimal, Decimal, bool]:
        """(subscriptions, usage, invoiced) of the budget's holder in quarter ``number`` of its year."""
        quarter = rating.Quarter(budget.year, number)
        code = budget.project.code if budget.project_id else None
        holders = [budget.establishment_id] if budget.establishment_id else sorted(self.payers[budget.project_id])
        fixed = usage = ZERO
        invoiced = True
        for establishment_id in holders:
            if (establishment_id, str(quarter)) in self.invoiced:
                fixed += sum(
                    (total for (e, q, p), total in self.issued.items() if e == establishment_id and q == str(quarter))
                    if code is None
                    else [self.issued.get((establishment_id, str(quarter), code), ZERO)],
                    ZERO,
                )
                continue
            invoiced = False
            draft = self._draft(establishment_id, quarter)
            fixed += sum(draft.fixed.values(), ZERO) if code is None else draft.fixed.get(code, ZERO)
            usage += sum(draft.usage.values(), ZERO) if code is None else draft.usage.get(code, ZERO)
        return fixed, usage, invoiced

    def figures(self, budget: Budget) -> Figures:
        try:
            return self._figures(budget)
        except ValidationError as exc:
            text = " ".join(exc.messages)
            return Figures(None, None, budget.amount_ht, _("Cannot be computed: %(error)s") % {"error": text})

    def _figures(self, budget: Budget) -> Figures:
        today = self.today
        spent = forecast = ZERO
        rate = None  # the running quarter's hours per day
        later = []
        for number in budget.quarters:
            quarter = rating.Quarter(budget.year, number)
            if today < quarter.first_day:
                later.append(quarter)
                continue
            fixed, usage, _invoiced = self.quarter(budget, number)
            spent += fixed + usage
            if today < quarter.end:  # running
                elapsed = (today - quarter.first_day).days + 1
                rate = usage / elapsed
                forecast += fixed + money.to_cents(rate * quarter.days)
            else:
                forecast += fixed + usage
        if rate is not None:  # the quarters not begun of a year running: what is held, and the hours' rate
            for quarter in later:
                fixed, _usage, _invoiced = self.quarter(budget, quarter.number)
                forecast += fixed + money.to_cents(rate * quarter.days)
        return Figures(spent=spent, forecast=forecast, amount=budget.amount_ht)


def figures_of(budgets: Iterable[Budget], today: datetime.date) -> dict[int, Figures]:
    """Each budget's figures on ``today``, by its pk."""
    budgets = list(budgets)
    ledger = Ledger(budgets, today)
    return {budget.pk: ledger.figures(budget) for budget in budgets}


def recipients(budget: Budget) -> list:
    """Who hears of a budget: an establishment's managers; a project's PI and managers."""
    if budget.establishment_id:
        managers = Membership.objects.filter(establishment=budget.establishment, role=Membership.Role.MANAGER)
        return [m.user for m in managers.select_related("user")]
    roles = (ProjectMembership.Role.PI, ProjectMembership.Role.MANAGER)
    return [m.user for m in budget.project.memberships.filter(role__in=roles).select_related("user")]


def check_budgets(today: datetime.date) -> int:
    """Send the 80 % and 100 % alerts due on ``today`` for the budgets whose period has begun, each once ever;
    the number of alerts sent now."""
    budgets = (
        Budget.objects.filter(year__lte=today.year, year__gte=today.year - 1)
        .select_related("establishment", "project")
        .order_by("pk")
    )
    budgets = [b for b in budgets if b.first_day <= today]
    sent = 0
    for budget, figures in zip(budgets, figures_of(budgets, today).values(), strict=True):
        for threshold in THRESHOLDS:
            if figures.spent is None:  # a draft that cannot be computed: tomorrow's check tells, once it can
                break
            if figures.spent * 100 >= budget.amount_ht * threshold and _alert_once(budget, threshold, figures):
                sent += 1
    return sent


def _alert_once(budget: Budget, threshold: int, figures: Figures) -> bool:
    """Record the alert and queue its e-mails together; False if it was recorded already (by us or a racer)."""
    try:
        with transaction.atomic():
            alert = BudgetAlert.objects.create(budget=budget, threshold=threshold, sent_at=timezone.now())
            context = {"budget": budget, "figures": figures, "threshold": threshold}
            alert.recipients = notify(
                recipients(budget),
                str(_("A budget reached %(threshold)s %%") % {"threshold": threshold}),
                "billing/mail/budget_alert.txt",
                context,
                key=f"budget-alert:{budget.pk}:{threshold}",
            )
            alert.save(update_fields=["recipients"])
    except IntegrityError:
        return False
    return True
