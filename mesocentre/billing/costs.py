"""What the portal's billing pages read: the quarter a day falls in, every establishment's draft for a quarter with
its issued invoice beside it, an establishment's spending by project, a project's costs.

The drafts come from ``rating.draft`` (recomputed whenever asked) and the invoices from ``invoice_models``; what this
module adds reads the issued rows in a constant number of queries, whatever their number (no query per line or per
establishment beyond ``rating.draft``'s own).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from mesocentre.billing import rating
from mesocentre.billing.invoice_models import Invoice, InvoiceAnnexLine, InvoiceLine
from mesocentre.tenancy.models import Establishment

ZERO = Decimal("0.00")


def current_quarter(today: datetime.date | None = None) -> rating.Quarter:
    return rating.Quarter.of(today or timezone.localdate())


def last_ended_quarter(today: datetime.date | None = None) -> rating.Quarter:
    """The latest quarter that has ended: the one an operator issues next."""
    current = current_quarter(today)
    return (
        rating.Quarter(current.year - 1, 4) if current.number == 1 else rating.Quarter(current.year, current.number - 1)
    )


def has_ended(quarter: rating.Quarter, today: datetime.date | None = None) -> bool:
    return (today or timezone.localdate()) >= quarter.end


def refusal_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@dataclass
class DraftRow:
    """One establishment's row on the drafts' page: its invoice when issued, else its draft (or why it could not be
    computed)."""

    establishment: Establishment
    invoice: Invoice | None = None
    draft: rating.Draft | None = None
    error: str = ""

    @property
    def total_ht(self) -> Decimal | None:
        if self.invoice:
            return self.invoice.total_ht
        return self.draft.total_ht if self.draft else None

    @property
    def total_ttc(self) -> Decimal | None:
        if self.invoice:
            return self.invoice.total_ttc
        return self.draft.total_ht + self.draft.total_vat if self.draft else None

    @property
    def empty(self) -> bool:
        return self.draft is not None and not self.draft.lines and not self.draft.annex


def safe_draft(establishment: Establishment, quarter: rating.Quarter) -> tuple[rating.Draft | None, str]:
    """The draft, or why it cannot be computed (a price missing…): one establishment's problem must not hide the
    others' drafts."""
    try:
        return rating.draft(establishment, quarter), ""
    except ValidationError as exc:
        return None, refusal_text(exc)


def issued_by_establishment(quarter: rating.Quarter) -> dict[int, Invoice]:
    """The quarter's issued invoices, by establishment: one query for every establishment."""
    issued = Invoice.objects.filter(quarter=str(quarter), kind=Invoice.Kind.INVOICE)
    return {invoice.establishment_id: invoice for invoice in issued}


def draft_rows(quarter: rating.Quarter) -> list[DraftRow]:
    """Every establishment's row for the quarter: an issued one shows its invoice (its draft is not recomputed)."""
    issued = issued_by_establishment(quarter)
    rows = []
    for establishment in Establishment.objects.order_by("code"):
        row = DraftRow(establishment, invoice=issued.get(establishment.pk))
        if row.invoice is None:
            row.draft, row.error = safe_draft(establishment, quarter)
        rows.append(row)
    return rows


# --- Grouping lines for reading -------------------------------------------------------------------------------------


@dataclass
class Group:
    """The lines of one project and offering, with their subtotal."""

    project: str
    offering: str
    lines: list = field(default_factory=list)

    @property
    def total_ht(self) -> Decimal:
        return sum((line.amount_ht for line in self.lines), ZERO)


def grouped(lines) -> list[Group]:
    """Lines (issued or drafted) grouped by project and offering, in the order they come (both are sorted so)."""
    groups: dict[tuple[str, str], Group] = {}
    for line in lines:
        key = (line.project, line.offering)
        groups.setdefault(key, Group(*key)).lines.append(line)
    return list(groups.values())


# --- An establishment's spending ------------------------------------------------------------------------------------


@dataclass
class Spending:
    project: str
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO  # negative: what credit notes took back

    @property
    def net(self) -> Decimal:
        return self.invoiced + self.credited


def spending_by_project(establishment: Establishment, year: int, quarter: int | None = None) -> list[Spending]:
    """The establishment's issued lines of the year (or of one of its quarters) summed by project: invoiced, taken
    back by credit notes, and what is left. One query."""
    lines = InvoiceLine.objects.filter(invoice__establishment=establishment)
    lines = (
        lines.filter(invoice__quarter=f"{year}Q{quarter}")
        if quarter
        else lines.filter(invoice__quarter__startswith=f"{year}Q")
    )
    rows = (
        lines.values("project")
        .annotate(
            invoiced=Sum("amount_ht", filter=Q(invoice__kind=Invoice.Kind.INVOICE)),
            credited=Sum("amount_ht", filter=Q(invoice__kind=Invoice.Kind.CREDIT_NOTE)),
        )
        .order_by("project")
    )
    return [Spending(row["project"], row["invoiced"] or ZERO, row["credited"] or ZERO) for row in rows]


def draft_by_project(draft: rating.Draft) -> list[tuple[str, Decimal]]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in draft.lines:
        totals[line.project] += line.amount_ht
    return sorted(totals.items())


# --- A project's costs ----------------------------------------------------------------------------------------------


@dataclass
class ProjectCosts:
    by_quarter: list[dict]  # {"quarter", "amount_ht"}, issued lines net of credit notes
    annex: list[InvoiceAnnexLine]  # the committee's hours, valued, not invoiced
    quarter: rating.Quarter  # the current one
    draft_lines: list = field(default_factory=list)
    draft_annex: rating.AnnexLine | None = None
    draft_error: str = ""

    @property
    def draft_total_ht(self) -> Decimal:
        return sum((line.amount_ht for line in self.draft_lines), ZERO)


def project_costs(project, invoices: QuerySet, today: datetime.date | None = None) -> ProjectCosts:
    """The project's issued lines by quarter (within ``invoices``: what the reader may see), its annex entries, and
    the current quarter's draft lines of the project (its paying establishment's draft)."""
    lines = InvoiceLine.objects.filter(project=project.code, invoice__in=invoices)
    by_quarter = list(
        lines.values("invoice__quarter").annotate(amount_ht=Sum("amount_ht")).order_by("invoice__quarter")
    )
    annex = list(
        InvoiceAnnexLine.objects.filter(project=project.code, invoice__in=invoices)
        .select_related("invoice")
        .order_by("invoice__quarter", "pk")
    )
    costs = ProjectCosts(
        by_quarter=[{"quarter": row["invoice__quarter"], "amount_ht": row["amount_ht"]} for row in by_quarter],
        annex=annex,
        quarter=current_quarter(today),
    )
    draft, costs.draft_error = safe_draft(project.paying_establishment, costs.quarter)
    if draft is not None:
        costs.draft_lines = [line for line in draft.lines if line.project == project.code]
        costs.draft_annex = next((entry for entry in draft.annex if entry.project == project.code), None)
    return costs
