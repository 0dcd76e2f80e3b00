"""`mesocentre usage import-kwh`: a rack's measured kWh per period, once each; bad lines reported, good ones kept."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from mesocentre.capacity.models import Pod, Rack
from mesocentre.metering.models import MeasuredEnergy

pytestmark = pytest.mark.django_db


@pytest.fixture
def racks():
    pod, _ = Pod.objects.get_or_create(code="podx", defaults={"name": "POD X"})
    return [Rack.objects.get_or_create(pod=pod, number=n)[0] for n in (3, 12)]


def run(tmp_path, text, *args):
    path = tmp_path / "kwh.csv"
    path.write_text(text)
    out = io.StringIO()
    call_command("usage", "import-kwh", str(path), *args, stdout=out)
    return out.getvalue()


def test_kwh_are_recorded_per_rack_and_period_once(tmp_path, racks):
    text = "rack,period start,period end,kWh\npodx-03,2026-01-01,2026-01-31,3120.5\nPODX-R12,2026-01-01,2026-01-31,0\n"
    assert json.loads(run(tmp_path, text, "--json"))["imported"] == 2
    energy = MeasuredEnergy.objects.get(rack=racks[0])
    assert (energy.period_start, energy.period_end, energy.kwh) == (
        datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), Decimal("3120.5"),
    )  # fmt: skip
    again = json.loads(run(tmp_path, text, "--json"))
    assert (again["imported"], again["already_known"], again["refused"]) == (0, 2, 0)
    assert MeasuredEnergy.objects.count() == 2


def test_bad_lines_are_reported_by_number_and_the_good_ones_recorded(tmp_path, racks):
    run(tmp_path, "podx-03,2026-01-01,2026-01-31,100\n")
    text = "\n".join([
        "podx-03,2026-02-01,2026-02-28,90",  # 1: good
        "podx-99,2026-02-01,2026-02-28,90",  # 2: no such rack
        "podx-12,2026-02-30,2026-03-01,1",  # 3: no 30 February
        "podx-12,2026-02-01,2026-02-28,-4",  # 4
        "podx-12,2026-02-01,2026-02-28",  # 5
        "podx-03,2026-01-01,2026-01-31,101",  # 6: a correction is not silent
        "podx-03,2026-01-15,2026-02-15,5",  # 7: overlaps
        "podx-12,2026-03-01,2026-02-01,5",  # 8
    ]) + "\n"  # fmt: skip
    assert run(tmp_path, text).splitlines() == [
        "line 2: no rack 'podx-99' (a POD's code and a rack's number: pod1-03)",
        "line 3: period start is not a day (YYYY-MM-DD): '2026-02-30'",
        "line 4: kWh is not a number from 0 with at most three decimals: '-4'",
        "line 5: expected 4 fields, found 3",
        "line 6: podx-03 from 2026-01-01 to 2026-01-31 is already recorded with 100 kWh",
        "line 7: the period overlaps podx-03's from 2026-01-01 to 2026-01-31",
        "line 8: the period ends before it starts",
        f"{tmp_path}/kwh.csv: 1 imported, 0 already known, 7 refused.",
    ]
    assert MeasuredEnergy.objects.count() == 2


def test_a_missing_file_is_exit_status_2(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("usage", "import-kwh", str(tmp_path / "none.csv"))
    assert raised.value.returncode == 2
