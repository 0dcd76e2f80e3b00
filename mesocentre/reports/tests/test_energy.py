"""The measured kWh of the demo's hosted racks go to the rack-hosting offering and to the establishment paying for
the project whose rack it is; measures ending outside the period count nowhere."""

import datetime
from decimal import Decimal

from django.utils import timezone

from mesocentre.metering.models import MeasuredEnergy
from mesocentre.reports.periods import Period
from mesocentre.reports.usage import usage_report
from mesocentre.resources.models import RackReservation


def test_racks_kwh_by_offering_and_by_paying_establishment(demo):
    reservations = list(
        RackReservation.objects.select_related("resource__project__paying_establishment", "resource__offering")
    )
    assert len(reservations) >= 2, "the demo hosts two racks"
    MeasuredEnergy.objects.all().delete()  # the demo's own readings: this test counts its own
    # A rack's kWh count for the project that held it on the measure's first day: measures from the day after the
    # last of the demo's racks was taken, in that day's year.
    held_since = [timezone.localtime(r.resource.periods.order_by("valid_from")[0].valid_from) for r in reservations]
    first = max(held_since).date() + datetime.timedelta(days=1)
    year, quarter = first.year, (first.month - 1) // 3 + 1
    expected: dict[str, Decimal] = {}
    for index, reservation in enumerate(reservations, start=1):
        kwh = Decimal(1000 * index)
        MeasuredEnergy.objects.create(
            rack=reservation.rack, period_start=first, period_end=first + datetime.timedelta(days=2), kwh=kwh
        )
        MeasuredEnergy.objects.create(  # ends the next year: not this year's
            rack=reservation.rack, period_start=first, period_end=datetime.date(year + 1, 1, 2), kwh=7
        )
        code = reservation.resource.project.paying_establishment.code
        expected[code] = expected.get(code, Decimal(0)) + kwh
    offering = usage_report("offering", Period(year), None)
    rack_rows = [row for row in offering.rows if row.kwh]
    assert {row.key for row in rack_rows} == {r.resource.offering.code for r in reservations}
    assert offering.total.kwh == sum(expected.values())
    establishments = usage_report("establishment", Period(year), None)
    assert {row.key: row.kwh for row in establishments.rows if row.kwh} == expected
    # A manager's scope: only their establishment's racks.
    one = reservations[0].resource.project.paying_establishment
    scoped = usage_report("establishment", Period(year), frozenset({one.pk}))
    assert [(row.key, row.kwh) for row in scoped.rows] == [(one.code, expected[one.code])]
    assert usage_report("offering", Period(year, quarter), None).total.kwh == sum(
        expected.values()
    )  # the quarter of the measures
    assert usage_report("offering", Period(year, quarter % 4 + 1), None).total.kwh == 0
