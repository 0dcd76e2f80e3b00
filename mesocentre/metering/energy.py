"""Measured kWh of hosted racks (`mesocentre usage import-kwh FILE.csv`): one line per rack and period.

A line is ``rack,period start,period end,kWh`` (a header line naming them may come first): the rack by its POD's
code and its number (``pod1-03``, ``pod1-R03``), the period as two days, both included (``2026-01-01,2026-01-31``),
the kWh its meter read, at most three decimals. A rack and period already recorded with the same kWh is known; with
other kWh, or a period overlapping another of the rack's, the line is refused (a correction is never silent). The
good lines are recorded in one transaction, all or none."""

from __future__ import annotations

import csv
import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from mesocentre.capacity.models import Rack
from mesocentre.core.formatting import number
from mesocentre.metering.models import MeasuredEnergy
from mesocentre.metering.sacct import ImportReport

RACK_RE = re.compile(r"(?P<pod>[a-z][a-z0-9_]*)-r?(?P<number>\d{1,4})", re.IGNORECASE)
MAX_KWH = Decimal("999999999.999")


def rack_code(rack: Rack) -> str:
    return f"{rack.pod.code}-{rack.number:02d}"


def import_kwh(lines) -> ImportReport:
    """Record the measured kWh of ``lines`` (a CSV file's text lines); ``kept_aside`` is always 0 here."""
    racks = {(r.pod.code.lower(), r.number): r for r in Rack.objects.select_related("pod")}
    report = ImportReport()
    existing: dict[int, list[MeasuredEnergy]] = {}
    for energy in MeasuredEnergy.objects.all():
        existing.setdefault(energy.rack_id, []).append(energy)
    new: list[MeasuredEnergy] = []
    for n, row in enumerate(csv.reader(lines), start=1):
        if not row or not "".join(row).strip():
            continue
        if n == 1 and row[0].strip().lower() == "rack":
            continue  # the header
        checked = _check(row, racks)
        if isinstance(checked, str):
            report.bad_lines.append((n, checked))
            continue
        rack, start, end, kwh = checked
        problem = None
        for other in existing.get(rack.pk, []):
            if (other.period_start, other.period_end) == (start, end):
                problem = (
                    "known"
                    if other.kwh == kwh
                    else _("%(rack)s from %(start)s to %(end)s is already recorded with %(kwh)s kWh")
                    % {"rack": rack_code(rack), "start": start, "end": end, "kwh": number(other.kwh)}
                )
                break
            if other.period_start <= end and start <= other.period_end:
                problem = _("the period overlaps %(rack)s's from %(start)s to %(end)s") % {
                    "rack": rack_code(rack), "start": other.period_start, "end": other.period_end
                }  # fmt: skip
                break
        if problem == "known":
            report.known += 1
        elif problem:
            report.bad_lines.append((n, problem))
        else:
            energy = MeasuredEnergy(rack=rack, period_start=start, period_end=end, kwh=kwh)
            existing.setdefault(rack.pk, []).append(energy)
            new.append(energy)
    with transaction.atomic():
        MeasuredEnergy.objects.bulk_create(new)
    report.imported = len(new)
    return report


def _check(row: list[str], racks) -> tuple | str:
    if len(row) != 4:
        return _("expected %(expected)s fields, found %(found)s") % {"expected": 4, "found": len(row)}
    code, start_text, end_text, kwh_text = (field.strip() for field in row)
    match = RACK_RE.fullmatch(code)
    rack = racks.get((match["pod"].lower(), int(match["number"]))) if match else None
    if rack is None:
        return _("no rack %(code)r (a POD's code and a rack's number: pod1-03)") % {"code": code}
    days = []
    for column, text in ((_("period start"), start_text), (_("period end"), end_text)):
        try:
            days.append(datetime.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None)
        except ValueError:
            days.append(None)
        if days[-1] is None:
            return _("%(column)s is not a day (YYYY-MM-DD): %(value)r") % {"column": column, "value": text}
    if days[1] < days[0]:
        return _("the period ends before it starts")
    try:
        kwh = Decimal(kwh_text)
    except InvalidOperation:
        kwh = None
    if kwh is None or not kwh.is_finite() or kwh < 0 or kwh > MAX_KWH or -kwh.as_tuple().exponent > 3:
        return _("kWh is not a number from 0 with at most three decimals: %(value)r") % {"value": kwh_text}
    return rack, days[0], days[1], kwh
