"""The racks' power against their budget, per rack and per POD: declared by the live reservations, measured as the
kWh of the readings inside the period over the hours they cover — on the occupancy page and in ``capacity --json``,
with figures computed by hand."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mesocentre.capacity.models import Pod, Rack
from mesocentre.metering.models import MeasuredEnergy
from mesocentre.resources.models import RackReservation, Resource
from mesocentre.resources.rack_power import Period, previous_month, rack_power_report
from mesocentre.resources.tests.test_views import client_of

MAY = Period(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))


def _reserve(shop, rack: Rack, kw: str, released: bool = False) -> RackReservation:
    resource = Resource.objects.create(
        project=shop.w.project, offering=shop.rack.offering, name=f"rack-{Resource.objects.count()}", backend="manual"
    )
    when = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC) if released else None
    return RackReservation.objects.create(
        resource=resource, rack=rack, units=10, power_kw=Decimal(kw), released_at=when
    )


def _read(rack: Rack, first: str, last: str, kwh: str) -> None:
    MeasuredEnergy.objects.create(
        rack=rack,
        period_start=datetime.date.fromisoformat(first),
        period_end=datetime.date.fromisoformat(last),
        kwh=Decimal(kwh),
    )


@pytest.fixture
def pod1(shop):
    """POD 1's 12 racks of 7 kW, R02's budget raised to 10 kW; reservations and readings on R01–R03."""
    racks = {r.number: r for r in Rack.objects.filter(pod__code="pod1")}
    Rack.objects.filter(pk=racks[2].pk).update(power_budget_kw=Decimal("10"))
    _reserve(shop, racks[1], "3.50")
    _reserve(shop, racks[1], "1.00", released=True)  # released: no longer declared
    _reserve(shop, racks[2], "2.00")
    _read(racks[1], "2026-05-01", "2026-05-31", "2604")  # 31 days = 744 h: 3.50 kW
    _read(racks[1], "2026-06-01", "2026-06-30", "9999")  # after the period
    _read(racks[2], "2026-05-01", "2026-05-10", "360")  # 10 days = 240 h: 1.50 kW, the other days unread
    _read(racks[3], "2026-04-25", "2026-05-05", "500")  # not inside the period: not counted
    return racks


def test_each_rack_and_pod_against_its_budget_by_hand(pod1):
    pod = next(p for p in rack_power_report(MAY) if p["pod"] == "pod1")
    rows = {row["rack"]: row for row in pod["racks"]}
    assert rows["pod1-R01"] == {
        "rack": "pod1-R01",
        "budget_kw": "7.00",
        "declared_kw": "3.50",
        "declared_percent": 50,
        "measured_kw": "3.50",
        "measured_percent": 50,
        "measured_days": 31,
    }
    assert rows["pod1-R02"] == {
        "rack": "pod1-R02",
        "budget_kw": "10.00",
        "declared_kw": "2.00",
        "declared_percent": 20,
        "measured_kw": "1.50",
        "measured_percent": 15,
        "measured_days": 10,
    }
    assert rows["pod1-R03"]["measured_kw"] is None and rows["pod1-R03"]["measured_days"] == 0
    assert rows["pod1-R03"]["declared_kw"] == "0.00" and rows["pod1-R03"]["declared_percent"] == 0
    # The POD: 11 × 7 + 10 = 87 kW; 5.50 kW declared (6 %); 5.00 kW measured on its 2 racks read, of their 17 kW (29 %).
    assert pod["total"] == {
        "budget_kw": "87.00",
        "declared_kw": "5.50",
        "declared_percent": 6,
        "measured_kw": "5.00",
        "measured_racks": 2,
        "measured_percent": 29,
    }
    other = next(p for p in rack_power_report(MAY) if p["pod"] == "pod3")
    assert other["total"]["budget_kw"] == "112.00" and other["total"]["measured_kw"] is None  # 16 × 7, none read


def test_the_default_period_is_the_previous_month():
    assert previous_month(datetime.date(2026, 3, 15)) == Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert previous_month(datetime.date(2027, 1, 1)) == Period(datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))


def _capacity(*args) -> dict:
    out = io.StringIO()
    call_command("capacity", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_capacity_json_gives_the_racks_power(pod1):
    racks = _capacity("--from", "2026-05-01", "--to", "2026-05-31")["racks"]
    assert racks["period"] == {"from": "2026-05-01", "to": "2026-05-31"}
    pod = next(p for p in racks["pods"] if p["pod"] == "pod1")
    assert pod["total"]["measured_kw"] == "5.00" and pod["racks"][0]["measured_kw"] == "3.50"
    out = io.StringIO()
    call_command("capacity", "--from", "2026-05-01", "--to", "2026-05-31", stdout=out)
    assert "87.00" in out.getvalue() and "5.50" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--from", "2026-5-1", "--to", "2026-05-31"), "--from"),
        (("--from", "2026-05-01"), "--to"),
        (("--from", "2026-05-31", "--to", "2026-05-01"), "--to"),
        (("--from", "2026-02-30", "--to", "2026-05-01"), "--from"),
    ],
)
def test_capacity_bad_period_names_the_option_with_exit_status_2(shop, args, option):
    with pytest.raises(CommandError) as refused:
        _capacity(*args)
    assert refused.value.returncode == 2 and str(refused.value).startswith(option)


def test_the_occupancy_page_shows_the_racks_power(pod1, shop):
    client = client_of(shop.w.operator)
    page = client.get(reverse("occupancy:occupancy") + "?from=2026-05-01&to=2026-05-31").content.decode()
    assert '<th scope="row">pod1-R01</th><td>7.00</td><td>3.50 (50%)</td><td>3.50 (50%)</td><td>31</td>' in page
    assert '<th scope="row">pod1-R02</th><td>10.00</td><td>2.00 (20%)</td><td>1.50 (15%)</td><td>10</td>' in page
    assert "<td>87.00</td><td>5.50 (6%)</td><td>5.00 (29%)</td><td>2 racks read</td>" in page
    bad = client.get(reverse("occupancy:occupancy") + "?from=May&to=2026-05-31")
    assert bad.status_code == 400 and "from: A day is written YYYY-MM-DD." in bad.content.decode()


def test_the_racks_power_keeps_its_queries_with_2_or_20_racks(shop):
    Rack.objects.all().delete()
    pod = Pod.objects.get(code="pod1")

    def rack(number: int) -> None:
        made = Rack.objects.create(pod=pod, number=number)
        _reserve(shop, made, "1.00")
        _read(made, "2026-05-01", "2026-05-31", "744")

    for number in (1, 2):
        rack(number)
    client = client_of(shop.w.operator)
    url = reverse("occupancy:occupancy") + "?from=2026-05-01&to=2026-05-31"
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).content.decode().count("<td>1.00 (14%)</td>") == 2 * 2
    for number in range(3, 21):
        rack(number)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(url).content.decode().count("<td>1.00 (14%)</td>") == 20 * 2
    assert len(twenty) == len(two)
