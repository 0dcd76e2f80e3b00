"""Utilisation, as Open XDMoD's users read it: the core-hours a cluster's jobs used ÷ the core-hours it had (its cores ×
the hours of the period), by month and for the year.

A job counts in full on its record's day (the day it ended, in the cluster's time zone), as metering and rating count
it: a job that ran over a month's end counts in the month it ended. The hours of a period are its days × 24 (28 to
31 days a month, 365 or 366 a year); the cores are ``settings.MESOCENTRE["CLUSTER_CORES"]``, today's count (a cluster
that grew mid-year is reported at its present size: a dated history of cores would be overkill here). Every record
of the cluster counts, those kept aside too: the machine ran them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _

from mesocentre.metering.models import UsageRecord
from mesocentre.reports.periods import month_hours, year_hours

HOUR = Decimal(3600)
SOURCE_PREFIX = "slurm:"


@dataclass
class Figure:
    """One period of one cluster: used and available core-hours, and their ratio in percent (exact)."""

    used: Decimal
    available: int | None  # None: the cluster's cores are not known

    @property
    def percent(self) -> Decimal | None:
        return self.used * 100 / self.available if self.available else None

    def as_dict(self) -> dict:
        percent = self.percent
        return {
            "used_core_hours": _plain(self.used),
            "available_core_hours": self.available,
            "utilisation": None if percent is None else _plain(percent),
        }


@dataclass
class ClusterYear:
    cluster: str
    cores: int | None
    year: int
    months: list[Figure] = field(default_factory=list)  # January to December

    @property
    def total(self) -> Figure:
        available = self.cores * year_hours(self.year) if self.cores else None
        return Figure(sum((month.used for month in self.months), Decimal(0)), available)

    def as_dict(self) -> dict:
        return {
            "cluster": self.cluster,
            "cores": self.cores,
            "year": self.year,
            "months": [{"month": index, **month.as_dict()} for index, month in enumerate(self.months, start=1)],
            "total": self.total.as_dict(),
        }


def _plain(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.000001")).normalize(), "f")


def cluster_cores() -> dict[str, int]:
    return dict(settings.MESOCENTRE.get("CLUSTER_CORES", {}))


def utilisation(year: int, cluster: str | None = None) -> list[ClusterYear]:
    """Each cluster's year (the clusters whose cores are known, and those with records in the year), month by month;
    ``cluster`` names one (refused, naming the field, when it has neither)."""
    cores = cluster_cores()
    records = UsageRecord.objects.filter(day__year=year, source__startswith=SOURCE_PREFIX)
    if cluster is not None:
        records = records.filter(source=SOURCE_PREFIX + cluster)
    used: dict[str, dict[int, Decimal]] = defaultdict(dict)
    rows = records.annotate(month=ExtractMonth("day")).values("source", "month").annotate(cpu=Sum("cpu_seconds"))
    for row in rows.order_by():  # at most 12 rows a cluster
        used[row["source"].removeprefix(SOURCE_PREFIX)][row["month"]] = Decimal(row["cpu"]) / HOUR
    names = set(used) | set(cores) if cluster is None else {cluster}
    if cluster is not None and cluster not in cores and cluster not in used:
        raise ValidationError({"cluster": _("No cluster of that name has cores declared or jobs in the year.")})
    result = []
    for name in sorted(names):
        count = cores.get(name)
        months = [
            Figure(used[name].get(month, Decimal(0)), count * month_hours(year, month) if count else None)
            for month in range(1, 13)
        ]
        result.append(ClusterYear(name, count, year, months))
    return result
