"""Metering verbs: collect usage exactly once, and read consumption per account."""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.db.models import Q, Sum

from mesocentre.metering.models import UsageRecord
from mesocentre.metering.sacct import import_sacct, sacct_text
from mesocentre.provisioning.slurm.client import SlurmClient

HOUR = Decimal(3600)  # seconds
# What collect-slurm asks sacct for: the columns of the file `usage import-sacct` reads.
SACCT_FIELDS = ("JobIDRaw", "Cluster", "Account", "User", "Submit", "Start", "End", "ElapsedRaw", "AllocTRES", "State")


def collect_slurm(client: SlurmClient, since: str = "1970-01-01T00:00:00", time_zone: str | None = None) -> int:
    """Record the cluster's ended jobs as ``usage import-sacct`` records a file of them (the same key, day and
    checks); a job already recorded is skipped, so collecting twice counts once. Returns the new records."""
    report = collect_slurm_report(client, since, time_zone)
    return report.imported + report.aside


def collect_slurm_report(client: SlurmClient, since: str = "1970-01-01T00:00:00", time_zone: str | None = None):
    """``collect_slurm``'s whole report (imported, already known, kept aside, refused, running)."""
    rows = client.job_records(SACCT_FIELDS, since=since)
    return import_sacct(sacct_text(rows, SACCT_FIELDS), cluster=client.cluster, time_zone=time_zone)


def consumed_hours(source: str, account: str, since: datetime.datetime | None = None) -> tuple[Decimal, Decimal]:
    """(CPU core-hours, GPU hours) consumed by an account, all time (Slurm's usage never resets here either), or
    since ``since``: the jobs that ended after it (an account removed and created again starts from nothing)."""
    records = UsageRecord.objects.filter(source=source, account=account)
    if since is not None:
        records = records.filter(ended_at__gt=since)
    totals = records.aggregate(cpu=Sum("cpu_seconds"), gpu=Sum("gpu_seconds"))
    return Decimal(totals["cpu"] or 0) / HOUR, Decimal(totals["gpu"] or 0) / HOUR


Since = Mapping[tuple[str, str], "datetime.datetime | None"]


def consumed_hours_of(pairs, since: Since | None = None) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """``consumed_hours`` of many (source, account) pairs in one query: a pair nothing was recorded for is absent.
    ``since``: per pair, count only the jobs that ended after that moment (a pair not in it: all time)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = (
        UsageRecord.objects.filter(_pairs_filter(pairs, since))
        .order_by()
        .values("source", "account")
        .annotate(cpu=Sum("cpu_seconds"), gpu=Sum("gpu_seconds"))
    )
    return {(r["source"], r["account"]): (Decimal(r["cpu"]) / HOUR, Decimal(r["gpu"]) / HOUR) for r in rows}


def _pairs_filter(pairs, since: Since | None = None) -> Q:
    wanted = Q()
    for source, account in pairs:
        moment = (since or {}).get((source, account))
        wanted |= Q(source=source, account=account, **({"ended_at__gt": moment} if moment is not None else {}))
    return wanted


def cumulative_core_hours_by_day(source: str, account: str) -> list[tuple[datetime.date, Decimal]]:
    """The account's consumption over time, for the chart: (day, core-hours consumed up to that day)."""
    return cumulative_core_hours_by_day_of([(source, account)]).get((source, account), [])


def cumulative_core_hours_by_day_of(
    pairs, since: Since | None = None
) -> dict[tuple[str, str], list[tuple[datetime.date, Decimal]]]:
    """``cumulative_core_hours_by_day`` of many (source, account) pairs in one query (a project's clusters, on its
    page); a pair nothing was recorded for is absent. ``since`` as for ``consumed_hours_of``."""
    pairs = set(pairs)
    if not pairs:
        return {}
    daily = (
        UsageRecord.objects.filter(_pairs_filter(pairs, since))
        .values("source", "account", "day")
        .annotate(cpu=Sum("cpu_seconds"))
        .order_by("source", "account", "day")
    )
    totals: dict[tuple[str, str], Decimal] = {}
    series: dict[tuple[str, str], list[tuple[datetime.date, Decimal]]] = {}
    for row in daily:
        pair = (row["source"], row["account"])
        totals[pair] = totals.get(pair, Decimal(0)) + Decimal(row["cpu"]) / HOUR
        series.setdefault(pair, []).append((row["day"], totals[pair]))
    return series
