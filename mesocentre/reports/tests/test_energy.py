"""The measured kWh of the demo's hosted racks go to the rack-hosting offering and to the establishment paying for
the project whose rack it is; measures ending outside the period count nowhere."""

import datetime
from decimal import Decimal

from mesocentre.metering.models import MeasuredEnergy
from mesocentre.reports.periods import Period
from mesocentre.reports.usage import usage_report
from mesocentre.resources.models import RackReservation


def test_racks_kwh_by_offering_and_by_paying_establishment(demo):
    reservations = list(
        RackReservation.objects.select_related("resource__project__paying_establishment", "resource__offering")
    )
    assert len(reservations) >= 2, "the demo hosts two racks"
    expected: dict[str, Decimal] = {}
    for index, reservation in enumerate(reservations, start=1):
        kwh = Decimal(1000 * index)
        MeasuredEnergy.objects.create(
            rack=reservation.rack,
            period_start=datetime.date(2025, 3, 1),
            period_end=datetime.date(2025, 3, 31),
            kwh=kwh,
        )
        MeasuredEnergy.objects.create(  # ends in 2026: not 2025's
            rack=reservation.rack, period_start=datetime.date(2025, 12, 1), period_end=datetime.date(2026, 1, 2), kwh=7
        )
        code = reservation.resource.project.paying_establishment.code
        expected[code] = expected.get(code, Decimal(0)) + kwh
    offering = usage_report("offering", Period(2025), None)
    rack_rows = [row for row in offering.rows if row.kwh]
    assert {row.key for row in rack_rows} == {r.resource.offering.code for r in reservations}
    assert offering.total.kwh == sum(expected.values())
    establishments = usage_report("establishment", Period(2025), None)
    assert {row.key: row.kwh for row in establishments.rows if row.kwh} == expected
    # A manager's scope: only their establishment's racks.
    one = reservations[0].resource.project.paying_establishment
    scoped = usage_report("establishment", Period(2025), frozenset({one.pk}))
    assert [(row.key, row.kwh) for row in scoped.rows] == [(one.code, expected[one.code])]
    assert usage_report("offering", Period(2025, 1), None).total.kwh == sum(expected.values())  # March's
    assert usage_report("offering", Period(2025, 2), None).total.kwh == 0
