"""The demo's measured energy: every month its racks were held, through the kWh import, priced on the drafts and
loaded again without a change (dates from the demo's first day, never today's)."""

import datetime

from mesocentre.billing import rating
from mesocentre.core.demo import month_start
from mesocentre.core.models import DemoState
from mesocentre.metering import demo as metering_demo
from mesocentre.metering.models import MeasuredEnergy
from mesocentre.resources.models import RackReservation


def test_the_demos_racks_have_the_kwh_of_every_month_they_were_held_and_the_drafts_price_them(demo):
    day = DemoState.objects.get().first_loaded_on
    irap = RackReservation.objects.select_related("resource__project__paying_establishment").get(
        resource__name="irap-archive"
    )
    measures = list(MeasuredEnergy.objects.filter(rack=irap.rack).order_by("period_start"))
    # Held from the 5th of the month eight months before the demo's: that month from the 5th, then seven whole ones.
    assert len(measures) == 8
    assert measures[0].period_start == month_start(day, -8) + datetime.timedelta(days=4)
    assert measures[-1].period_end == month_start(day, 0) - datetime.timedelta(days=1)
    assert all(
        b.period_start - a.period_end == datetime.timedelta(days=1)
        for a, b in zip(measures, measures[1:], strict=False)
    )
    assert 0 < measures[1].kwh < 7 * 24 * 31, "a 7 kW rack draws part of its power"
    cirimat = RackReservation.objects.get(resource__name="cirimat-instruments")
    assert MeasuredEnergy.objects.filter(rack=cirimat.rack).count() == 2

    last = measures[-1]
    draft = rating.draft(irap.resource.project.paying_establishment, rating.Quarter.of(last.period_end))
    [line] = [line for line in draft.lines if line.offering == "rack" and line.period_start == last.period_start]
    assert line.period_end == last.period_end and line.amount_ht > 0

    before = list(MeasuredEnergy.objects.order_by("pk").values())
    metering_demo.load(day)
    assert list(MeasuredEnergy.objects.order_by("pk").values()) == before
