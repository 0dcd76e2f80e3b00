"""Rating: what an establishment owes for a quarter, line by line, computed from what its projects held and used.

- **Fixed components** come from the resources' dated periods (``resources.ResourcePeriod``): a yearly price is
  billed a quarter (0.25 of it) for a full quarter held, and by day for a partial one (0.25 × days held ÷ days in
  the quarter), at the size and tier of each day, at the prices valid on the segment's first day (a segment is cut
  where a component's price changes). A day belongs to the period in force at its start, in the platform's time
  zone. Identical resources (same project, plan, size and days) share one line. Each project is billed to the
  establishment that paid for it on each day (``projects.PayerPeriod``, its dated history).
- **HPC hours** come from the usage records (``metering``), each counted on its day and priced at the price valid
  that day (``hours``). Hours the committee granted to an academic establishment's projects are not invoiced:
  they are listed in the annex, valued at the academic price, beside the hours granted. A company's hours are
  invoiced, and so are the hours an academic project ordered outside the calls (``hours.attribute``).
- **Electricity** of hosted racks: the measured kWh of each rack and period (``metering.MeasuredEnergy``) × the PUE
  × the electricity price valid on the period's first day, on the line of the project whose rack it is.
- **Late usage.** A draft prices the records and measures of its quarter that no issued invoice accounted for
  (``PricedUsage``), and those of an earlier quarter already issued to the establishment that arrived after it was
  issued: on their own lines, dated by their days, at the prices valid on their days, to the establishment that
  paid for the project on their days. Issuing links each of them to its line, so none is priced twice.

Every amount goes through the calculator's ``Pricer`` (one read of the catalogue per draft, shared with
``calculator.quote``), so a quote and an invoice of the same basket agree to the cent; rounding is the money
module's, once per line.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.billing import money
from mesocentre.billing.calculator import Item, Line, Pricer
from mesocentre.billing.estimates import item_of
from mesocentre.billing.invoice_models import Invoice
from mesocentre.catalogue.models import Offering, Price
from mesocentre.metering.models import MeasuredEnergy
from mesocentre.projects.models import PayerPeriod, Project
from mesocentre.resources.models import RackReservation, ResourcePeriod
from mesocentre.tenancy.models import Establishment

HOUR = Decimal(3600)
QUARTER_SHARE = Decimal("0.25")
QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = QUARTER_PATTERN.match((text or "").strip())
        if not match or not 2000 <= int(match[1]) <= 2999:
            raise ValidationError({"quarter": _("A quarter is written like 2026Q4 (a year, Q, 1 to 4).")})
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The day after the quarter (excluded)."""
        return (
            datetime.date(self.year + 1, 1, 1) if self.number == 4 else datetime.date(self.year, 3 * self.number + 1, 1)
        )

    @property
    def days(self) -> int:
        return (self.end - self.first_day).days

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        """The quarter a day is in."""
        return cls(day.year, (day.month - 1) // 3 + 1)


@dataclass
class DraftLine:
    project: str
    offering: str
    description: str
    quantity: Decimal
    unit: str
    unit_price_ht: Decimal
    amount_ht: Decimal
    vat_rate: Decimal
    period_start: datetime.date
    period_end: datetime.date  # included
    # What it priced, for issuing to link (``PricedUsage``): usage records (their core-hours, or their GPU hours
    # when ``measure`` is "gpu") or measured energies.
    records: tuple[int, ...] = field(default=(), repr=False, compare=False)
    measure: str = field(default="", repr=False, compare=False)
    energies: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def as_dict(self) -> dict:
        return {
            "project": self.project,
            "offering": self.offering,
            "description": self.description,
            "quantity": _plain(self.quantity),
            "unit": self.unit,
            "unit_price_ht": _plain(self.unit_price_ht),
            "amount_ht": str(self.amount_ht),
            "vat_rate": str(self.vat_rate),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
        }


@dataclass
class AnnexLine:
    project: str
    quantity: Decimal  # core-hours consumed in the quarter
    unit: str
    value_ht: Decimal  # at the academic price
    granted_core_hours: Decimal
    gpu_hours: Decimal
    granted_gpu_hours: Decimal
    period_start: datetime.date | None = None  # the first and the last day its hours counted on
    period_end: datetime.date | None = None
    records: tuple[int, ...] = field(default=(), repr=False, compare=False)  # for issuing to link

    def as_dict(self) -> dict:
        return {
            "project": self.project,
            "quantity": _plain(self.quantity),
            "unit": self.unit,
            "value_ht": str(self.value_ht),
            "granted": _plain(self.granted_core_hours),
            "gpu_hours": _plain(self.gpu_hours),
            "granted_gpu_hours": _plain(self.granted_gpu_hours),
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
        }


@dataclass
class Draft:
    establishment: Establishment
    quarter: Quarter
    lines: list[DraftLine] = field(default_factory=list)
    annex: list[AnnexLine] = field(default_factory=list)
    # Every usage record it looked at, for issuing to link (those its lines and annex priced, and those of no
    # seconds, which price nothing but are accounted for all the same).
    records: tuple[int, ...] = field(default=(), repr=False)

    @property
    def total_ht(self) -> Decimal:
        return sum((line.amount_ht for line in self.lines), Decimal("0.00"))

    @property
    def total_vat(self) -> Decimal:
        return sum(money.vat_by_rate((line.vat_rate, line.amount_ht) for line in self.lines).values(), Decimal("0.00"))

    def as_dict(self) -> dict:
        total_ht, total_vat = self.total_ht, self.total_vat
        return {
            "establishment": self.establishment.code,
            "number": None,
            "kind": "draft",
            "quarter": str(self.quarter),
            "price_list": self.establishment.price_list_code,
            "total_ht": str(total_ht),
            "total_vat": str(total_vat),
            "total_ttc": str(total_ht + total_vat),
            "lines": [line.as_dict() for line in self.lines],
            "annex": [line.as_dict() for line in self.annex],
        }


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


# --- The draft ------------------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a draft prices: the establishment's quarter and the earlier quarters already issued to it (whose late
    usage it picks up), the days it paid for each project over them, and the catalogue read once for them all."""

    establishment: Establishment
    quarter: Quarter
    # The earlier quarters issued to it; for an invoice issued before it linked the usage it priced, when.
    issued: dict[Quarter, datetime.datetime | None]
    first_day: datetime.date  # the first day of the earliest quarter it looks at
    paid: dict[int, list[tuple[datetime.date, datetime.date]]]
    pricer: Pricer | None = None

    def counts(self, day: datetime.date, arrived: datetime.datetime, project_id: int | None = None) -> bool:
        """Whether usage of that day, recorded at ``arrived``, that no invoice accounted for is this draft's to price:
        of its quarter, or of an issued quarter (late: its invoice linked all it priced, so what it did not link it
        never saw — even a record inserted before it was issued, by an import that committed after); and of a day
        the project was paid by this establishment. Of a quarter invoiced before invoices linked their usage, only
        the records recorded after it was issued are late (the others are taken as priced by it)."""
        quarter = Quarter.of(day)
        if quarter != self.quarter:
            if quarter not in self.issued:
                return False
            issued_at = self.issued[quarter]
            if issued_at is not None and arrived <= issued_at:
                return False
        return project_id is None or _within(day, self.paid.get(project_id, []))

    def is_late(self, day: datetime.date) -> bool:
        return day < self.quarter.first_day


def draft(establishment: Establishment, quarter: Quarter) -> Draft:
    """The establishment's draft for the quarter: recomputed from the records whenever asked, for the days it paid
    for each project; with the late usage of the quarters already issued to it."""
    from mesocentre.billing import hours  # it builds on this module's lines

    scope = scope_of(establishment, quarter)
    energies = measured(scope)
    records = hours.records_of(scope)
    earliest = min([quarter.first_day, *(e.period_start for e in energies), *(r.day for r in records)])
    scope.pricer = Pricer(establishment.price_list_code, earliest, quarter.last_day)
    result = Draft(establishment, quarter)
    result.lines += fixed_lines(establishment, quarter, scope.paid, scope.pricer)
    result.lines += electricity_lines(scope, energies)
    lines, annex = hours.hpc_hours(scope, records)
    result.lines += lines
    result.annex += annex
    result.records = tuple(record.pk for record in records)
    result.lines.sort(key=lambda line: (line.project, line.offering, line.period_start, line.description))
    return result


def scope_of(establishment: Establishment, quarter: Quarter) -> Scope:
    invoices = Invoice.objects.filter(establishment=establishment, kind=Invoice.Kind.INVOICE)
    issued = {
        Quarter.parse(code): None if links else at
        for code, at, links in invoices.values_list("quarter", "issued_at", "links_usage")
    }
    issued = {q: at for q, at in issued.items() if (q.year, q.number) < (quarter.year, quarter.number)}
    first_day = min([quarter.first_day, *(q.first_day for q in issued)])
    return Scope(establishment, quarter, issued, first_day, paid_ranges(establishment, first_day, quarter.end))


def paid_days(establishment: Establishment, quarter: Quarter) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """``paid_ranges`` over the quarter."""
    return paid_ranges(establishment, quarter.first_day, quarter.end)


def paid_ranges(
    establishment: Establishment, first: datetime.date, end: datetime.date
) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """For each project the establishment paid for on a day of [first, end), those days as [start, end) ranges
    (the projects' dated history of paying establishments; a project without one — made past the models — is paid
    by its paying establishment every day)."""
    ranges: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for row in PayerPeriod.objects.paid_by(establishment, first, end):
        start = max(first, row.valid_from or first)
        until = min(end, row.valid_until + datetime.timedelta(days=1)) if row.valid_until else end
        if start < until:
            ranges[row.project_id].append((start, until))
    unrecorded = Project.objects.filter(paying_establishment=establishment, payer_periods__isnull=True)
    for pk in unrecorded.values_list("pk", flat=True):
        ranges[pk].append((first, end))
    return ranges


def _within(day: datetime.date, ranges: list[tuple[datetime.date, datetime.date]]) -> bool:
    return any(start <= day < end for start, end in ranges)


def _day_of(moment: datetime.datetime) -> datetime.date:
    """The day a moment starts counting in: a period that begins during a day holds it from the next midnight."""
    local = timezone.localtime(moment)
    day = local.date()
    return day if local.time() == datetime.time(0) else day + datetime.timedelta(days=1)


def _segments(
    start: datetime.date, end: datetime.date, cuts: set[datetime.date]
) -> list[tuple[datetime.date, datetime.date]]:
    """[start, end) cut at the days in ``cuts`` strictly inside it."""
    bounds = [start, *sorted(day for day in cuts if start < day < end), end]
    return list(zip(bounds, bounds[1:], strict=False))


def fixed_lines(establishment: Establishment, quarter: Quarter, paid: dict, pricer: Pricer) -> list[DraftLine]:
    first, end = quarter.first_day, quarter.end
    start_moment = timezone.make_aware(datetime.datetime.combine(first, datetime.time(0)))
    end_moment = timezone.make_aware(datetime.datetime.combine(end, datetime.time(0)))
    periods = (
        ResourcePeriod.objects.filter(resource__project_id__in=list(paid))
        .exclude(resource__offering__kind=Offering.Kind.HPC)  # hours are usage, rated from the records
        .filter(valid_from__lt=end_moment)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=start_moment))
        .select_related("resource__project", "resource__offering", "plan")
    )
    periods = list(periods)
    # Where a component's price changes inside the quarter, a segment ends: each day at the price valid on it.
    cuts: dict[int, set[datetime.date]] = defaultdict(set)
    for plan_id, day in Price.objects.filter(
        component__plan__in={p.plan_id for p in periods}, valid_from__gt=first, valid_from__lt=end
    ).values_list("component__plan", "valid_from"):
        cuts[plan_id].add(day)
    held: dict[tuple, int] = defaultdict(int)
    for period in periods:
        begin = max(first, _day_of(period.valid_from))
        until = min(end, _day_of(period.valid_until)) if period.valid_until else end
        for paid_start, paid_end in paid[period.resource.project_id]:  # the days this establishment paid
            low, high = max(begin, paid_start), min(until, paid_end)
            for seg_start, seg_end in _segments(low, high, cuts[period.plan_id]) if low < high else []:
                key = (
                    period.resource.project,
                    period.resource.offering,
                    period.plan,
                    tuple(sorted(period.quantities.items())),
                    seg_start,
                    seg_end,
                )
                held[key] += 1
    lines = []
    for (project, offering, plan, quantities, seg_start, seg_end), count in held.items():
        days = (seg_end - seg_start).days
        share = QUARTER_SHARE if days == quarter.days else QUARTER_SHARE * days / quarter.days
        item = replace(item_of(offering.kind, plan.code, dict(quantities)), count=count)
        for line in pricer.lines([item], seg_start, share, held=True):
            lines.append(_line(project, offering, line, seg_start, seg_end))
    return lines


def _line(project: Project, offering: Offering, line: Line, seg_start, seg_end, **links) -> DraftLine:
    return DraftLine(
        project=project.code,
        offering=offering.code,
        description=line.description,
        quantity=line.quantity,
        unit=line.unit,
        unit_price_ht=line.unit_price_ht,
        amount_ht=line.amount_ht,
        vat_rate=line.vat_rate,
        period_start=seg_start,
        period_end=seg_end - datetime.timedelta(days=1),
        **links,
    )


def measured(scope: Scope) -> list[MeasuredEnergy]:
    """The measured kWh no invoice accounted for, of the periods ending in the quarter or, arrived late, in a
    quarter already issued."""
    holder = RackReservation.objects.holding_on(OuterRef("rack"), OuterRef("period_start"))
    measures = (
        MeasuredEnergy.objects.filter(
            period_end__gte=scope.first_day, period_end__lt=scope.quarter.end, priced__isnull=True
        )
        .annotate(holder=Subquery(holder.values("pk")[:1]))
        .filter(holder__in=RackReservation.objects.filter(resource__project_id__in=list(scope.paid)).values("pk"))
        .select_related("rack__pod")
    )
    return [m for m in measures if scope.counts(m.period_end, m.imported_at)]


def electricity_lines(scope: Scope, measures: list[MeasuredEnergy]) -> list[DraftLine]:
    """The measured kWh of the racks the establishment's projects held, each period on its own line."""
    reservations = RackReservation.objects.filter(pk__in={m.holder for m in measures}).select_related(
        "resource__project", "resource__offering"
    )
    by_pk = {r.pk: r for r in reservations}
    lines = []
    for measure in measures:
        # The reservation that held the rack on the measure's first day (``holding_on``): one project per measure.
        reservation = by_pk.get(measure.holder)
        if reservation is None or not _within(measure.period_start, scope.paid[reservation.resource.project_id]):
            continue
        resource = reservation.resource
        item = Item(Offering.Kind.RACK, "standard", count=1, kwh=measure.kwh)
        # Priced for no part of a year, the rack's own subscription is 0 here (the fixed lines bill it): the
        # electricity's line alone is kept.
        for line in scope.pricer.lines([item], measure.period_start, Decimal(0), held=True):
            if line.unit_price_ht:
                end = measure.period_end + datetime.timedelta(days=1)
                lines.append(
                    _line(
                        resource.project,
                        resource.offering,
                        line,
                        measure.period_start,
                        end,
                        energies=(measure.pk,),
                    )
                )
    return lines
