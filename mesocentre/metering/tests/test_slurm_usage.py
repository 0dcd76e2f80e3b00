"""Usage from a real Slurm's accounting, recorded exactly once, and drawn against the grant."""

import time
from decimal import Decimal

import pytest
from django.template import Context, Template

from mesocentre.metering.collectors import FINAL_STATES
from mesocentre.metering.models import UsageRecord
from mesocentre.metering.services import collect_slurm, consumed_hours, cumulative_core_hours_by_day
from mesocentre.provisioning.slurm.client import AccountSpec


def wait_for_jobs_to_finish(client, account: str, count: int, timeout: float = 90) -> None:
    """Poll sacct (sbatch --wait polls slowly) until ``count`` jobs of the account are in a final state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [row[0].split()[0] for row in client.job_records(("state",), account=account)]
        if sum(state in FINAL_STATES for state in states) >= count:
            return
        time.sleep(1)
    pytest.fail(f"{count} jobs of {account} did not finish in {timeout} s")


@pytest.mark.django_db
def test_finished_jobs_are_recorded_once_and_summed(slurm):
    slurm.ensure_accounts([AccountSpec("meter-a")])
    slurm.add_users("meter-a", ["root"])
    for _ in range(2):
        slurm.submit("meter-a", "sleep 2")
    wait_for_jobs_to_finish(slurm, "meter-a", 2)

    assert collect_slurm(slurm) >= 2
    assert collect_slurm(slurm) == 0  # collecting again records nothing twice
    source = f"slurm:{slurm.cluster}"
    records = UsageRecord.objects.filter(source=source, account="meter-a")
    assert records.count() == 2
    cpu_hours, gpu_hours = consumed_hours(source, "meter-a")
    assert cpu_hours > 0 and gpu_hours == 0
    assert cpu_hours == Decimal(slurm.usage("meter-a").cpu_seconds) / 3600
    series = cumulative_core_hours_by_day(source, "meter-a")
    assert series[-1][1] == cpu_hours


def test_the_chart_draws_consumption_against_the_grant():
    import datetime

    series = [(datetime.date(2026, 1, d), Decimal(v)) for d, v in ((1, 10), (2, 40), (3, 80))]
    html = Template("{% load metering %}{% usage_charts rows %}").render(
        Context({"rows": [{"series": series, "granted_cpu": 100, "cluster": "mesocentre"}]})
    )
    assert "<canvas" in html and "80 of 100 core-hours consumed, from 1 Jan 2026 to 3 Jan 2026" in html
