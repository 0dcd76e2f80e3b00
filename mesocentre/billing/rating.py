"""Rating: what an establishment owes for a quarter, line by line, computed from what its projects held and used.

- **Fixed components** come from the resources' dated periods (``resources.ResourcePeriod``): a yearly price is
  billed a quarter (0.25 of it) for a full quarter held, and by day for a partial one (0.25 × days held ÷ days in
  the quarter), at the size and tier of each day, at the prices valid on the segment's first day (a segment is cut
  where a component's price changes). A day belongs to the period in force at its start, in the platform's time
  zone. Identical resources (same project, plan, size and days) share one line. Each project is billed to the
  establishment that paid for it on each day (``projects.PayerPeriod``, its dated history).
- **HPC hours** come from the usage records (``metering``), each counted on its day and priced at the price valid
  that day. Hours of an academic establishment's projects that the committee granted are not invoiced: they are
  listed in the annex, valued at the academic price, beside the hours granted. A company's hours are invoiced, and
  so are those of an academic project whose hours were all ordered outside the calls.
- **Electricity** of hosted racks: the measured kWh of each rack and period (``metering.MeasuredEnergy``) × the PUE
  × the electricity price valid on the period's first day, on the line of the project whose rack it is.

Every amount goes through the calculator (``calculator.quote`` with the segment's share of a year), so a quote and
an invoice of the same basket agree to the cent; rounding is the money module's, once per line.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.billing import money
from mesocentre.billing.calculator import Item, quote
from mesocentre.billing.estimates import item_of
from mesocentre.catalogue.models import Offering, Price
from mesocentre.hpc.accounts import granted
from mesocentre.hpc.models import Allocation
from mesocentre.metering.models import MeasuredEnergy, UsageRecord
from mesocentre.projects.models import PayerPeriod, Project
from mesocentre.projects.naming import account_name
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

    def as_dict(self) -> dict:
        return {
            "project": self.project,
            "quantity": _plain(self.quantity),
            "unit": self.unit,
            "value_ht": str(self.value_ht),
            "granted": _plain(self.granted_core_hours),
            "gpu_hours": _plain(self.gpu_hours),
            "granted_gpu_hours": _plain(self.granted_gpu_hours),
        }


@dataclass
class Draft:
    establishment: Establishment
    quarter: Quarter
    lines: list[DraftLine] = field(default_factory=list)
    annex: list[AnnexLine] = field(default_factory=list)

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


def draft(establishment: Establishment, quarter: Quarter) -> Draft:
    """The establishment's draft for the quarter: recomputed from the records whenever asked, for the days it paid
    for each project."""
    result = Draft(establishment, quarter)
    paid = paid_days(establishment, quarter)
    result.lines += fixed_lines(establishment, quarter, paid)
    result.lines += electricity_lines(establishment, quarter, paid)
    hours, annex = hpc_hours(establishment, quarter, paid)
    result.lines += hours
    result.annex += annex
    result.lines.sort(key=lambda line: (line.project, line.offering, line.period_start, line.description))
    return result


def paid_days(establishment: Establishment, quarter: Quarter) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """For each project the establishment paid for on a day of the quarter, those days as [start, end) ranges (the
    projects' dated history of paying establishments; a project without one — made past the models — is paid by
    its paying establishment every day)."""
    ranges: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for row in PayerPeriod.objects.paid_by(establishment, quarter.first_day, quarter.end):
        start = max(quarter.first_day, row.valid_from or quarter.first_day)
        end = min(quarter.end, row.valid_until + datetime.timedelta(days=1)) if row.valid_until else quarter.end
        if start < end:
            ranges[row.project_id].append((start, end))
    unrecorded = Project.objects.filter(paying_establishment=establishment, payer_periods__isnull=True)
    for pk in unrecorded.values_list("pk", flat=True):
        ranges[pk].append((quarter.first_day, quarter.end))
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


def fixed_lines(establishment: Establishment, quarter: Quarter, paid: dict) -> list[DraftLine]:
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
        priced = quote([item], "quarter", establishment.price_list_code, seg_start, fraction=share, held=True)
        for line in priced.lines:
            lines.append(_line(project, offering, line, seg_start, seg_end))
    return lines


def _line(project, offering, line, seg_start, seg_end) -> DraftLine:
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
    )


def electricity_lines(establishment: Establishment, quarter: Quarter, paid: dict) -> list[DraftLine]:
    """The measured kWh of the racks the establishment's projects hold, for the periods ending in the quarter."""
    measures = MeasuredEnergy.objects.filter(
        period_end__gte=quarter.first_day, period_end__lt=quarter.end
    ).select_related("rack__pod")
    reservations = {
        r.rack_id: r
        for r in RackReservation.objects.filter(resource__project__paying_establishment=establishment).select_related(
            "resource__project", "resource__offering"
        )
    }
    lines = []
    for measure in measures:
        reservation = reservations.get(measure.rack_id)
        if reservation is None or not _within(measure.period_start, paid[reservation.resource.project_id]):
            continue
        resource = reservation.resource
        item = Item(Offering.Kind.RACK, "standard", count=1, kwh=measure.kwh)
        priced = quote(
            [item], "quarter", establishment.price_list_code, measure.period_start, fraction=Decimal(0), held=True
        )
        # Priced for no part of a year, the rack's own subscription is 0 here (the fixed lines bill it): the
        # electricity's line alone is kept.
        for line in priced.lines:
            if line.unit_price_ht:
                end = measure.period_end + datetime.timedelta(days=1)
                lines.append(_line(resource.project, resource.offering, line, measure.period_start, end))
    return lines


def hpc_hours(establishment: Establishment, quarter: Quarter, paid: dict) -> tuple[list[DraftLine], list[AnnexLine]]:
    """The hours the establishment's projects consumed in the quarter, each on its day: invoiced for a company, in the
    annex (valued at the academic price, beside the hours granted) for an academic establishment."""
    # With what the annex reads of each project (its allocations and their changes): no query per project.
    chosen = Project.objects.filter(pk__in=list(paid)).prefetch_related("allocations__change_requests")
    projects = {account_name(p.code): p for p in chosen}
    if not projects:
        return [], []
    days = (
        UsageRecord.objects.billable()
        .filter(account__in=list(projects), day__gte=quarter.first_day, day__lt=quarter.end)
        .values("account", "day")
        .annotate(cpu=Sum("cpu_seconds"), gpu=Sum("gpu_seconds"))
        .order_by("account", "day")
    )
    by_project: dict[str, dict[datetime.date, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for row in days:
        if _within(row["day"], paid[projects[row["account"]].pk]):  # the days this establishment paid for
            by_project[row["account"]][row["day"]] = (Decimal(row["cpu"]) / HOUR, Decimal(row["gpu"]) / HOUR)
    company = establishment.kind == Establishment.Kind.COMPANY
    price_list = establishment.price_list_code
    # Hours ordered outside the calls: an allocation an order made. An academic project that holds only such hours
    # pays for them like a company; one that also holds the committee's (a decision, adopted from Slurm) or none
    # at all has them in the annex.
    allocations = Allocation.objects.filter(project__in=projects.values())
    ordered = set(allocations.filter(resource__orders__type="create").values_list("project_id", flat=True))
    by_committee = set(allocations.exclude(resource__orders__type="create").values_list("project_id", flat=True))
    cuts = set(
        Price.objects.filter(
            component__plan__offering__kind=Offering.Kind.HPC,
            valid_from__gt=quarter.first_day,
            valid_from__lt=quarter.end,
        ).values_list("valid_from", flat=True)
    )
    offering = Offering.objects.filter(kind=Offering.Kind.HPC).order_by("pk").first()
    lines, annex = [], []
    for account, usage in sorted(by_project.items()):
        project = projects[account]
        project_lines = []
        for seg_start, seg_end in _segments(quarter.first_day, quarter.end, cuts):
            within = [hours for day, hours in usage.items() if seg_start <= day < seg_end]
            cpu, gpu = sum((c for c, _g in within), Decimal(0)), sum((g for _c, g in within), Decimal(0))
            if not cpu and not gpu:
                continue
            item = Item(Offering.Kind.HPC, "standard", core_hours=cpu, gpu_hours=gpu)
            priced = quote([item], "quarter", price_list, seg_start, held=True)
            # The line's dates: the first and the last day jobs counted on, within the segment.
            used = [day for day in usage if seg_start <= day < seg_end]
            first_day, after = min(used), max(used) + datetime.timedelta(days=1)
            project_lines += [_line(project, offering, line, first_day, after) for line in priced.lines]
        if company or (project.pk in ordered and project.pk not in by_committee):
            lines += project_lines
        else:
            cpu = sum((c for c, _g in usage.values()), Decimal(0))
            gpu = sum((g for _c, g in usage.values()), Decimal(0))
            annex.append(_annex(project, project_lines, cpu, gpu, quarter))
    return lines, annex


def _annex(project: Project, lines: list[DraftLine], cpu: Decimal, gpu: Decimal, quarter: Quarter) -> AnnexLine:
    """What the committee's hours were worth: consumed in the quarter, at the academic price, beside the hours
    granted on the quarter's last day (on every cluster the project has hours on)."""
    last_day = quarter.end - datetime.timedelta(days=1)
    granted_cpu = granted_gpu = 0
    for cluster in sorted({allocation.cluster for allocation in project.allocations.all()}):
        _allocations, on_cpu, on_gpu = granted(project, cluster, last_day, None)
        granted_cpu, granted_gpu = granted_cpu + on_cpu, granted_gpu + on_gpu
    return AnnexLine(
        project=project.code,
        quantity=cpu,
        unit=_("core-hours"),
        value_ht=sum((line.amount_ht for line in lines), Decimal("0.00")),
        granted_core_hours=Decimal(granted_cpu),
        gpu_hours=gpu,
        granted_gpu_hours=Decimal(granted_gpu),
    )
