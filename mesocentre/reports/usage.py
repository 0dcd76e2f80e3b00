"""Consumption and spending by scientific theme, establishment, laboratory or offering, for a year or a quarter.

- **Consumption** is what the usage records say (``metering``): the core-hours and GPU-hours of Slurm's jobs, each on
  the day it counts, and the measured kWh of hosted racks. A project's usage counts for the establishment that paid
  for the project on the usage's day (``projects.PayerPeriod``, as rating bills it; a project with no such history is
  its paying establishment's every day): a project that changed hands mid-year is split between the two. Slurm's
  hours are the HPC offering's, the kWh the rack-hosting offering's. Records kept aside (an account no project has)
  belong to no row. A rack's kWh go to the project that held it on the measure's first day
  (``RackReservation.objects.holding_on``, as rating bills them).
- **Spending** is the net amount HT of the issued invoices of the period's quarters (credit notes' negative lines
  included), by the same axes: drafts of quarters not yet issued are not counted.

The Slurm hours are summed by the database in one query, grouped by the axis through a ``CASE`` built from the
projects' paying periods (no Python loop over records); the kWh and the amounts in one more query each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.models import InvoiceLine
from mesocentre.catalogue.models import Offering
from mesocentre.core.formatting import localized
from mesocentre.metering.models import MeasuredEnergy, UsageRecord
from mesocentre.projects.models import PayerPeriod, Project
from mesocentre.projects.naming import account_name
from mesocentre.reports.periods import Period
from mesocentre.resources.models import RackReservation
from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme

AXES = {
    "theme": _("scientific theme"),
    "establishment": _("establishment"),
    "laboratory": _("laboratory"),
    "offering": _("offering"),
}
HOUR = Decimal(3600)
ZERO = Decimal(0)


@dataclass
class Row:
    key: str
    label: str = ""
    core_hours: Decimal = ZERO
    gpu_hours: Decimal = ZERO
    kwh: Decimal = ZERO
    amount_ht: Decimal = Decimal("0.00")
    core_share: Decimal | None = None  # percent of the period's core-hours, exact (rounded when shown)
    amount_share: Decimal | None = None  # percent of the period's amount HT

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.label),
            "core_hours": _plain(self.core_hours),
            "gpu_hours": _plain(self.gpu_hours),
            "kwh": _plain(self.kwh),
            "core_share": None if self.core_share is None else _plain(self.core_share),
            "amount_ht": str(self.amount_ht),
            "amount_share": None if self.amount_share is None else _plain(self.amount_share),
        }


@dataclass
class Report:
    by: str
    period: Period
    rows: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row("total"))

    def as_dict(self) -> dict:
        return {
            "by": self.by,
            "year": self.period.year,
            "quarter": self.period.quarter,
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
        }


@dataclass(frozen=True)
class Slice:
    """A project paid by one establishment on the days [start, end) of the period."""

    project_id: int
    account: str
    keys: dict  # the project's code on each axis
    start: datetime.date
    end: datetime.date


def _plain(value: Decimal) -> str:
    value = value.quantize(Decimal("0.000001")).normalize()
    return format(value, "f")


def usage_report(by: str, period: Period, scope: frozenset[int] | None) -> Report:
    """Consumption and spending of the period by ``by`` (one of AXES), for the establishments in ``scope`` (None:
    every one)."""
    rows: dict[str, Row] = defaultdict(lambda: Row(""))
    slices = paid_slices(period, scope)
    for key, cpu, gpu in slurm_hours(by, period, slices):
        rows[key].core_hours += cpu
        rows[key].gpu_hours += gpu
    for key, kwh in energy(by, period, slices):
        rows[key].kwh += kwh
    for key, amount in spending(by, period, scope):
        rows[key].amount_ht += amount
    return _assemble(by, period, rows)


def paid_slices(period: Period, scope: frozenset[int] | None) -> list[Slice]:
    """Each project's days of the period, by the establishment that paid for them (two queries)."""
    periods = PayerPeriod.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lt=period.end),
        Q(valid_until__isnull=True) | Q(valid_until__gte=period.first_day),
    )
    unrecorded = Project.objects.filter(payer_periods__isnull=True)
    if scope is not None:
        periods = periods.filter(establishment__in=scope)
        unrecorded = unrecorded.filter(paying_establishment__in=scope)
    fields = ("code", "theme__code", "laboratory__code")
    result = []
    for row in periods.values(
        "project_id", "establishment__code", "valid_from", "valid_until", *(f"project__{name}" for name in fields)
    ):
        start = max(period.first_day, row["valid_from"] or period.first_day)
        until = row["valid_until"]
        end = min(period.end, until + datetime.timedelta(days=1)) if until else period.end
        keys = {name: row[f"project__{name}"] for name in fields} | {"establishment": row["establishment__code"]}
        result.append(Slice(row["project_id"], account_name(keys["code"]), keys, start, end))
    for row in unrecorded.values("pk", "paying_establishment__code", *fields):
        keys = {name: row[name] for name in fields} | {"establishment": row["paying_establishment__code"]}
        result.append(Slice(row["pk"], account_name(keys["code"]), keys, period.first_day, period.end))
    return [piece for piece in result if piece.start < piece.end]


def _key(by: str, piece: Slice, offering: str) -> str:
    if by == "offering":
        return offering
    return piece.keys[{"theme": "theme__code", "laboratory": "laboratory__code", "establishment": "establishment"}[by]]


def hpc_offering_code() -> str:
    offering = Offering.objects.filter(kind=Offering.Kind.HPC).order_by("pk").values_list("code", flat=True).first()
    return offering or "hpc"


def slurm_hours(by: str, period: Period, slices: list[Slice]) -> list[tuple[str, Decimal, Decimal]]:
    """(key, core-hours, GPU-hours) of the jobs counted in the period, summed by the database by the slices' keys."""
    if not slices:
        return []
    offering = hpc_offering_code() if by == "offering" else ""
    whole: dict[str, list[str]] = defaultdict(list)  # accounts a key holds over the whole period
    partial: dict[str, list[Q]] = defaultdict(list)  # and those it holds some days of
    for piece in slices:
        key = _key(by, piece, offering)
        if piece.start == period.first_day and piece.end == period.end:
            whole[key].append(piece.account)
        else:
            partial[key].append(Q(account=piece.account, day__gte=piece.start, day__lt=piece.end))
    whens = [
        When(reduce(or_, ([Q(account__in=whole[key])] if whole[key] else []) + partial[key]), then=Value(key))
        for key in sorted(set(whole) | set(partial))
    ]
    rows = (
        UsageRecord.objects.billable()
        .filter(day__gte=period.first_day, day__lt=period.end, account__in={piece.account for piece in slices})
        .annotate(key=Case(*whens, default=None, output_field=CharField()))
        .filter(key__isnull=False)
        .values("key")
        .annotate(cpu=Sum("cpu_seconds"), gpu=Sum("gpu_seconds"))
        .order_by()
    )
    return [(row["key"], Decimal(row["cpu"]) / HOUR, Decimal(row["gpu"]) / HOUR) for row in rows]


def energy(by: str, period: Period, slices: list[Slice]) -> list[tuple[str, Decimal]]:
    """(key, kWh) of the racks' measures ending in the period (as rating bills them), on the day each measure starts
    for the establishment that paid then. One query, grouped by project, offering and measure's first day."""
    if not slices:
        return []
    latest = RackReservation.objects.holding_on(OuterRef("rack"), OuterRef("period_start"))
    rows = (
        MeasuredEnergy.objects.filter(period_end__gte=period.first_day, period_end__lt=period.end)
        .annotate(
            project_id=Subquery(latest.values("resource__project")[:1]),
            offering=Subquery(latest.values("resource__offering__code")[:1]),
        )
        .filter(project_id__in={piece.project_id for piece in slices})
        .values("project_id", "offering", "period_start")
        .annotate(kwh=Sum("kwh"))
        .order_by()
    )
    by_project: dict[int, list[Slice]] = defaultdict(list)
    for piece in slices:
        by_project[piece.project_id].append(piece)
    result = []
    for row in rows:  # one row per rack's project and measured period, not per record
        counted_on = max(row["period_start"], period.first_day)  # a measure begun before the period: its first day
        for piece in by_project[row["project_id"]]:
            if piece.start <= counted_on < piece.end:
                result.append((_key(by, piece, row["offering"]), row["kwh"]))
                break
    return result


def spending(by: str, period: Period, scope: frozenset[int] | None) -> list[tuple[str, Decimal]]:
    """(key, net amount HT) of the issued invoices and credit notes of the period's quarters."""
    lines = InvoiceLine.objects.filter(invoice__quarter__in=period.quarters)
    if scope is not None:
        lines = lines.filter(invoice__establishment__in=scope)
    project = Project.objects.filter(code=OuterRef("project"))
    key = {
        "establishment": F("invoice__establishment__code"),
        "offering": F("offering"),
        "theme": Subquery(project.values("theme__code")[:1]),
        "laboratory": Subquery(project.values("laboratory__code")[:1]),
    }[by]
    rows = lines.annotate(key=key).values("key").annotate(amount=Sum("amount_ht")).order_by()
    return [(row["key"] or "", row["amount"]) for row in rows]


LABELS = {
    "theme": ScientificTheme,
    "establishment": Establishment,
    "laboratory": Laboratory,
    "offering": Offering,
}


def _assemble(by: str, period: Period, rows: dict[str, Row]) -> Report:
    """Labels (one query), shares of the totals, and the rows from the largest consumer down."""
    names = {obj.code: localized(obj, "name") for obj in LABELS[by].objects.filter(code__in=list(rows))}
    report = Report(by, period)
    total = report.total
    for key, row in rows.items():
        row.key, row.label = key, names.get(key) or key or _("(unknown)")
        total.core_hours += row.core_hours
        total.gpu_hours += row.gpu_hours
        total.kwh += row.kwh
        total.amount_ht += row.amount_ht
    for row in rows.values():
        row.core_share = row.core_hours * 100 / total.core_hours if total.core_hours else None
        row.amount_share = row.amount_ht * 100 / total.amount_ht if total.amount_ht else None
    total.label = _("Total")
    total.core_share = Decimal(100) if total.core_hours else None
    total.amount_share = Decimal(100) if total.amount_ht else None
    report.rows = sorted(rows.values(), key=lambda r: (-r.core_hours, -r.amount_ht, -r.kwh, r.key))
    return report
