"""The racks' power against their budget, per rack and per POD: the budget (kW), the power declared by the racks'
live reservations, and — where a meter was read — the average power measured over a period.

Declared power is the reservations' (``RackReservation.power_kw``, here in resources). Measured kWh are metering's,
an app above this one: it is read through ``registry.power_meter`` (the kWh of each rack's readings whose days lie
inside the period, and the hours they cover), which a higher app fills from its ``AppConfig.ready()``. The average
is those kWh ÷ those hours: a rack read for part of the period is averaged over what was read, not over the whole
period (its unread days are not zero), and says how many days were read. Computed at each call, never stored.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from mesocentre.capacity.models import Pod, Rack
from mesocentre.resources import registry
from mesocentre.resources.models import RackReservation

KW = Decimal("0.01")
MAX_DAYS = 3660  # a period the page or the command reads: at most ten years
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    @property
    def hours(self) -> int:
        return ((self.end - self.start).days + 1) * 24


def previous_month(today: datetime.date) -> Period:
    """The calendar month before ``today``'s: the default period."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return Period(end.replace(day=1), end)


def parse_period(start: str | None, end: str | None, today: datetime.date) -> Period:
    """``from`` and ``to`` as YYYY-MM-DD (both or neither: the previous month), strictly; refused naming the field."""
    if not start and not end:
        return previous_month(today)
    days = {}
    for field, text in (("from", start), ("to", end)):
        if not text:
            raise ValidationError({field: _("Give both days of the period, or neither.")})
        try:
            if not DAY.fullmatch(text):
                raise ValueError(text)
            days[field] = datetime.date.fromisoformat(text)
        except ValueError:
            raise ValidationError({field: _("A day is written YYYY-MM-DD.")}) from None
    if days["to"] < days["from"]:
        raise ValidationError({"to": _("The period ends on or after its first day.")})
    if (days["to"] - days["from"]).days >= MAX_DAYS:
        raise ValidationError({"to": _("A period is at most %(n)s days.") % {"n": MAX_DAYS}})
    return Period(days["from"], days["to"])


def _kw(value: Decimal) -> str:
    return str(value.quantize(KW, ROUND_HALF_UP))


def _percent(value: Decimal | None, budget: Decimal) -> int | None:
    if value is None or budget <= 0:
        return None
    return int((value * 100 / budget).to_integral_value(ROUND_HALF_UP))


def rack_power_report(period: Period) -> list[dict]:
    """Per POD, its racks (``rack``, ``budget_kw``, ``declared_kw`` and ``measured_kw`` as text with two decimals,
    their percents of the budget, ``measured_days``) and its sums; measured figures None where no reading lies in
    the period. Three queries, whatever the number of racks."""
    declared = dict(
        RackReservation.objects.filter(released_at__isnull=True)
        .values("rack")
        .annotate(kw=Sum("power_kw"))
        .values_list("rack", "kw")
    )
    measured = registry.measured_energy(period.start, period.end)
    racks: dict[int, list[Rack]] = {}
    for rack in Rack.objects.order_by("pod__code", "number"):
        racks.setdefault(rack.pod_id, []).append(rack)
    report = []
    for pod in Pod.objects.order_by("code"):
        rows = [
            _rack_row(pod, rack, declared.get(rack.pk) or Decimal(0), measured.get(rack.pk))
            for rack in racks.get(pod.pk, [])
        ]
        report.append({"pod": pod.code, "name": pod.name, "racks": rows, "total": _pod_total(rows)})
    return report


def _rack_row(pod: Pod, rack: Rack, declared: Decimal, reading: tuple[Decimal, int] | None) -> dict:
    average = reading[0] / reading[1] if reading and reading[1] else None
    return {
        "rack": f"{pod.code}-R{rack.number:02d}",
        "budget_kw": _kw(rack.power_budget_kw),
        "declared_kw": _kw(declared),
        "declared_percent": _percent(declared, rack.power_budget_kw),
        "measured_kw": None if average is None else _kw(average),
        "measured_percent": _percent(average, rack.power_budget_kw),
        "measured_days": reading[1] // 24 if reading else 0,
    }


def _pod_total(rows: list[dict]) -> dict:
    """The POD's budget and declared power; the measured average power of its racks read (and their budget)."""
    budget = sum((Decimal(r["budget_kw"]) for r in rows), Decimal(0))
    declared = sum((Decimal(r["declared_kw"]) for r in rows), Decimal(0))
    read = [r for r in rows if r["measured_kw"] is not None]
    measured = sum((Decimal(r["measured_kw"]) for r in read), Decimal(0)) if read else None
    read_budget = sum((Decimal(r["budget_kw"]) for r in read), Decimal(0))
    return {
        "budget_kw": _kw(budget),
        "declared_kw": _kw(declared),
        "declared_percent": _percent(declared, budget),
        "measured_kw": None if measured is None else _kw(measured),
        "measured_racks": len(read),
        "measured_percent": _percent(measured, read_budget),
    }
