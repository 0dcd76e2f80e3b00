"""The demo's measured energy: the kWh each of the demo's hosted racks drew, month by month, from the day it was
first held to the last month ended before the demo's day, fed through ``energy.import_kwh`` as a meter's CSV file
would be (the same path as real data), so that the drafts of the current year have their electricity lines.

The dates count from the day the demo was first loaded (``day``) and the figures are computed from the rack and
the month alone: a second load imports the same lines, which are known, and changes nothing; a period users
recorded otherwise since is refused by the import (a correction is never silent) and stays as they left it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from mesocentre.core.demo import month_start
from mesocentre.metering.energy import import_kwh, rack_code
from mesocentre.resources.demo import HELD
from mesocentre.resources.models import RackReservation

# The resources' demo makes the hosted racks: load after it.
AFTER = ("mesocentre.resources",)
# A demo rack draws this share of its power on average, a little more or less from one month to the next.
LOADS = (Decimal("0.52"), Decimal("0.58"), Decimal("0.61"), Decimal("0.55"))
KWH = Decimal("0.001")


def load(day: datetime.date, out=None) -> None:
    # The demo's racks only: the racks users took since draw what their meters say.
    racks = [(held.project, held.name) for held in HELD if held.offering == "rack"]
    reservations = (
        RackReservation.objects.filter(resource__offering__kind="rack", released_at__isnull=True)
        .filter(resource__name__in=[name for _project, name in racks])
        .filter(resource__project__code__in=[project for project, _name in racks])
        .select_related("rack__pod")
        .prefetch_related("resource__periods")
    )
    lines = []
    for reservation in reservations:
        periods = list(reservation.resource.periods.all())
        if periods:
            lines += _months(reservation, timezone.localtime(periods[0].valid_from).date(), month_start(day, 0))
    report = import_kwh(lines)
    if out:
        out.write(f"metering: {len(lines)} measured periods of the racks ({report.imported} new)")


def _months(reservation: RackReservation, start: datetime.date, end: datetime.date) -> list[str]:
    """CSV lines of the rack's kWh, one per month (the first from ``start``), for the months ended by ``end``."""
    kw = reservation.power_kw or reservation.rack.power_budget_kw
    lines = []
    while start < end:
        after = month_start(start, 1)
        hours = Decimal(24 * (after - start).days)
        kwh = (kw * hours * LOADS[start.month % len(LOADS)]).quantize(KWH)
        last = after - datetime.timedelta(days=1)
        lines.append(f"{rack_code(reservation.rack)},{start.isoformat()},{last.isoformat()},{kwh}")
        start = after
    return lines
