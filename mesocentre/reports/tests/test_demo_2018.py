"""The demo's 2018 (``hpc.history``: 80 M core-hours in the offer's theme shares) read by the reports: the offer's
shares by theme, and the supercomputer's utilisation 80 M ÷ (13 464 × 8 760) = 67.8 %."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from mesocentre.core.formatting import number
from mesocentre.reports.periods import Period, month_hours, year_hours
from mesocentre.reports.usage import usage_report
from mesocentre.reports.utilisation import utilisation

OFFER = {
    "materials": 29,
    "fluids": 27,
    "universe": 17,
    "chemistry": 12,
    "life": 7,
    "theoretical-physics": 5,
    "structural-mechanics": 2,
    "numerical-methods": 1,
}


def test_the_2018_theme_report_gives_the_offers_shares_exactly(demo):
    report = usage_report("theme", Period(2018), scope=None)
    assert {row.key: row.core_share for row in report.rows} == OFFER
    assert [row.key for row in report.rows] == list(OFFER), "largest first"
    assert report.total.core_hours == 80_000_000
    assert sum(row.core_hours for row in report.rows) == report.total.core_hours


def test_the_quarters_add_up_to_the_year_on_every_axis(demo):
    for by in ("theme", "establishment", "laboratory", "offering"):
        year = {row.key: row.core_hours for row in usage_report(by, Period(2018), None).rows}
        quarters: dict[str, Decimal] = {}
        for index in range(1, 5):
            for row in usage_report(by, Period(2018, index), None).rows:
                quarters[row.key] = quarters.get(row.key, Decimal(0)) + row.core_hours
        assert quarters == year, by
    offering = usage_report("offering", Period(2018), None)
    assert [(row.key, row.core_hours) for row in offering.rows] == [("hpc", 80_000_000)]


def test_the_2018_utilisation_is_67_8_percent_and_its_months_add_up(demo):
    [mesocentre] = utilisation(2018, "mesocentre")
    assert mesocentre.cores == 13_464
    total = mesocentre.total
    assert total.used == 80_000_000
    assert total.available == 13_464 * 8_760
    assert round(total.percent, 1) == Decimal("67.8")
    assert sum(month.used for month in mesocentre.months) == total.used
    assert [month.available for month in mesocentre.months] == [13_464 * month_hours(2018, m) for m in range(1, 13)]
    assert mesocentre.months[1].available == 13_464 * 28 * 24  # February 2018


def test_hours_are_counted_exactly_in_leap_years():
    assert year_hours(2018) == 8_760 and year_hours(2020) == 8_784
    assert month_hours(2020, 2) == 29 * 24 and month_hours(2019, 2) == 28 * 24 and month_hours(2018, 4) == 720
    assert sum(month_hours(2020, m) for m in range(1, 13)) == year_hours(2020)


def test_the_command_line_csv_reads_back_the_shares(demo):
    out = io.StringIO()
    call_command("report", "usage", "--by", "theme", "--year", "2018", "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    shares = {row["key"]: Decimal(row["core_share"]) for row in rows if row["key"] != "total"}
    assert shares == OFFER
    assert rows[-1]["key"] == "total" and Decimal(rows[-1]["core_hours"]) == 80_000_000


def test_the_command_line_json_and_text(demo):
    out = io.StringIO()
    call_command("report", "utilisation", "--year", "2018", "--cluster", "mesocentre", "--json", stdout=out)
    [data] = json.loads(out.getvalue())
    assert data["total"]["available_core_hours"] == 117_944_640
    assert Decimal(data["total"]["utilisation"]).quantize(Decimal("0.1")) == Decimal("67.8")
    out = io.StringIO()
    call_command("report", "utilisation", "--year", "2018", "--csv", stdout=out)
    year = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["month"] == "year"]
    assert [(r["cluster"], r["cores"]) for r in year] == [("mesocentre", "13464")]
    out = io.StringIO()
    call_command("report", "usage", "--by", "laboratory", "--year", "2018", "--quarter", "2", stdout=out)
    total = usage_report("laboratory", Period(2018, 2), None).total.core_hours
    last = out.getvalue().splitlines()[-1]
    assert last.split()[0] == "Total" and number(total, 0) in last and "100%" in last


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["usage", "--by", "colour", "--year", "2018"], "--by"),
        (["usage", "--by", "theme", "--year", "18"], "--year"),
        (["usage", "--by", "theme", "--year", "2018", "--quarter", "5"], "--quarter"),
        (["usage", "--by", "theme", "--year", "2018.5"], "--year"),
        (["utilisation", "--year", "2018", "--cluster", "nowhere"], "--cluster"),
        (["utilisation", "--year", "2018", "--cluster", "a;b"], "--cluster"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(db, args, option):
    with pytest.raises(CommandError) as raised:
        call_command("report", *args)
    assert raised.value.returncode == 2
    assert str(raised.value).startswith(option + ":")
