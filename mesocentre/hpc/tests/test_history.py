"""The demo's 2018: 80 million core-hours by theme in the offer's shares, recorded through the sacct import."""

import datetime
from decimal import Decimal

from django.db.models import Count, Sum

from mesocentre.billing import rating
from mesocentre.hpc import history
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.models import Establishment

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


def year_by_theme() -> dict[str, Decimal]:
    themes = {account_name(p.code): p.theme.code for p in Project.objects.select_related("theme")}
    rows = (
        UsageRecord.objects.filter(day__year=2018)
        .values("account")
        .annotate(seconds=Sum("cpu_seconds"), jobs=Count("pk"))
    )
    hours: dict[str, Decimal] = {}
    for row in rows:
        theme = themes[row["account"]]
        hours[theme] = hours.get(theme, Decimal(0)) + Decimal(row["seconds"]) / 3600
    return hours


def test_the_year_2018_gives_the_offers_shares_by_theme_exactly(demo):
    hours = year_by_theme()
    total = sum(hours.values())
    assert total == 80_000_000
    assert {theme: hours[theme] * 100 / total for theme in hours} == OFFER
    jobs = UsageRecord.objects.filter(day__year=2018).count()
    assert 3_000 <= jobs <= 5_000, "a few thousand jobs"
    assert not UsageRecord.objects.filter(day__year=2018, aside=True).exists(), "every job has its project"
    closed = Project.objects.filter(code__endswith="-2018")
    assert closed.count() == 8 and set(closed.values_list("status", flat=True)) == {"closed"}


def test_loading_the_year_again_finds_every_job_known(demo):
    before = UsageRecord.objects.count()
    history.load()
    assert UsageRecord.objects.count() == before


def test_a_quarter_of_2018_is_drafted_with_its_hours_in_the_annex(demo):
    quarter = rating.Quarter(2018, 1)
    annexes = [
        entry for establishment in Establishment.objects.all() for entry in rating.draft(establishment, quarter).annex
    ]
    consumed = sum(entry.quantity for entry in annexes)
    recorded = UsageRecord.objects.filter(day__gte=datetime.date(2018, 1, 1), day__lt=datetime.date(2018, 4, 1))
    assert consumed == Decimal(recorded.aggregate(s=Sum("cpu_seconds"))["s"]) / 3600
    assert all(entry.value_ht == (entry.quantity * Decimal("0.01")).quantize(Decimal("0.01")) for entry in annexes)
