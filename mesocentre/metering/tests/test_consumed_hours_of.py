"""Many accounts' consumption in one query, each pair exactly as ``consumed_hours`` reads it alone."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mesocentre.metering.models import UsageRecord
from mesocentre.metering.services import consumed_hours, consumed_hours_of

pytestmark = pytest.mark.django_db
ENDED = datetime.datetime(2026, 6, 1, 18, tzinfo=datetime.UTC)


def record(n: int, source: str, account: str, cpu_hours: int, gpu_hours: int = 0) -> None:
    UsageRecord.objects.create(source=source, external_id=str(n), account=account, ended_at=ENDED,
                               cpu_seconds=cpu_hours * 3600, gpu_seconds=gpu_hours * 3600)  # fmt: skip


def test_each_pair_counts_its_own_jobs_only():
    record(1, "slurm:a", "jets", 10, 1)
    record(2, "slurm:a", "jets", 5)
    record(3, "slurm:b", "jets", 100)  # the same account on another cluster
    record(4, "slurm:a", "waves", 7)
    pairs = [("slurm:a", "jets"), ("slurm:b", "waves"), ("slurm:a", "waves")]
    with CaptureQueriesContext(connection) as queries:
        found = consumed_hours_of(pairs)
    assert len(queries) == 1
    assert found == {("slurm:a", "jets"): (Decimal(15), Decimal(1)), ("slurm:a", "waves"): (Decimal(7), Decimal(0))}
    assert found[("slurm:a", "jets")] == consumed_hours("slurm:a", "jets")


def test_no_pair_asks_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert consumed_hours_of([]) == {}
    assert len(queries) == 0


def test_each_pairs_series_in_one_query_as_alone():
    from mesocentre.metering.services import cumulative_core_hours_by_day, cumulative_core_hours_by_day_of

    record(1, "slurm:a", "jets", 10)
    UsageRecord.objects.create(source="slurm:a", external_id="2", account="jets", ended_at=ENDED + datetime.timedelta(days=2),
                               cpu_seconds=5 * 3600)  # fmt: skip
    record(3, "slurm:b", "jets", 100)
    record(4, "slurm:a", "waves", 7)
    pairs = [("slurm:a", "jets"), ("slurm:b", "jets"), ("slurm:c", "jets")]
    with CaptureQueriesContext(connection) as queries:
        found = cumulative_core_hours_by_day_of(pairs)
    assert len(queries) == 1
    day = ENDED.date()
    assert found == {
        ("slurm:a", "jets"): [(day, Decimal(10)), (day + datetime.timedelta(days=2), Decimal(15))],
        ("slurm:b", "jets"): [(day, Decimal(100))],
    }
    assert found[("slurm:a", "jets")] == cumulative_core_hours_by_day("slurm:a", "jets")
    assert cumulative_core_hours_by_day("slurm:c", "jets") == []
