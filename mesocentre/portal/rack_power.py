"""The racks' measured energy for the occupancy page and ``mesocentre capacity``: metering's readings, handed to
``resources.rack_power`` through its registry (resources is below metering and cannot read them itself). Here in
the portal, which assembles the apps, while metering is worked on elsewhere; it belongs in metering's ready() later."""

from __future__ import annotations

import datetime
from decimal import Decimal

from mesocentre.metering.models import MeasuredEnergy


def measured_energy(start: datetime.date, end: datetime.date) -> dict[int, tuple[Decimal, int]]:
    """Per rack, the kWh of its readings whose days all lie between ``start`` and ``end`` (included), and the hours
    those readings cover (a day is 24 hours): one query."""
    readings = MeasuredEnergy.objects.filter(period_start__gte=start, period_end__lte=end).values_list(
        "rack_id", "period_start", "period_end", "kwh"
    )
    totals: dict[int, tuple[Decimal, int]] = {}
    for rack, first, last, kwh in readings:
        energy, hours = totals.get(rack, (Decimal(0), 0))
        totals[rack] = (energy + kwh, hours + ((last - first).days + 1) * 24)
    return totals
