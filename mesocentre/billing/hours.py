"""HPC hours on a draft (``rating.draft``): the usage records it prices, which of their hours are invoiced and which
the committee granted (the annex), and their lines.

**Ordered and granted hours.** A company's hours are invoiced; an academic project's hours are invoiced when it
ordered them outside the calls (an allocation an order created) and listed in the annex when the committee granted
them. A project holding allocations of both kinds has its usage attributed to them in the order they started
(start day, then the order they were made in), each up to its hours (with its approved extra hours): its jobs in
the order they ended (day, then record) use up the first allocation started by their day, then the next. A job
may so be split between an ordered allocation and the committee's. Hours beyond every allocation started by their
day go with the last one started (before any started: with the first to start). The attribution reads every job
of the project since its first allocation began, priced or not, so a job's share does not depend on when a draft
is computed; a job arrived late takes its place by its day.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from mesocentre.billing.calculator import Item
from mesocentre.billing.rating import (
    HOUR,
    QUARTER_SHARE,
    AnnexLine,
    DraftLine,
    Quarter,
    Scope,
    _line,
)
from mesocentre.catalogue.models import Offering, Price
from mesocentre.hpc.accounts import granted
from mesocentre.hpc.models import Allocation
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.models import Establishment


@dataclass
class Use:
    """A usage record a draft prices, in seconds, and the part of them that is invoiced (the rest: the annex)."""

    pk: int
    project_id: int
    day: datetime.date
    cpu: int
    gpu: int
    cpu_invoiced: int = 0
    gpu_invoiced: int = 0


def records_of(scope: Scope) -> list[Use]:
    """The records no invoice accounted for that the draft prices (``Scope.counts``), in the order they ended."""
    accounts = {
        account_name(code): pk for pk, code in Project.objects.filter(pk__in=list(scope.paid)).values_list("pk", "code")
    }
    if not accounts:
        return []
    rows = (
        UsageRecord.objects.billable()
        .filter(account__in=list(accounts), day__gte=scope.first_day, day__lt=scope.quarter.end, priced__isnull=True)
        .order_by("day", "pk")
        .values_list("pk", "account", "day", "cpu_seconds", "gpu_seconds", "collected_at")
    )
    return [
        Use(pk, accounts[account], day, cpu, gpu)
        for pk, account, day, cpu, gpu, arrived in rows
        if scope.counts(day, arrived, accounts[account])
    ]


def hpc_hours(scope: Scope, uses: list[Use]) -> tuple[list[DraftLine], list[AnnexLine]]:
    """The lines of the invoiced hours and the annex of the committee's, each quarter's hours (the draft's and the
    late ones of issued quarters) apart, each line cut where a price changes and dated by its jobs' days."""
    if not uses:
        return [], []
    # With what the annex reads of each project (its allocations and their changes): no query per project.
    projects = {
        p.pk: p
        for p in Project.objects.filter(pk__in={u.project_id for u in uses}).prefetch_related(
            "allocations__change_requests"
        )
    }
    attribute(scope, projects, uses)
    cuts = sorted(
        set(
            Price.objects.filter(
                component__plan__offering__kind=Offering.Kind.HPC,
                valid_from__gt=scope.first_day,
                valid_from__lt=scope.quarter.end,
            ).values_list("valid_from", flat=True)
        )
    )
    # Each project's hours by quarter (the draft's, or an issued one's arrived late) and price segment.
    groups: dict[tuple[int, Quarter], dict[int, list[Use]]] = defaultdict(lambda: defaultdict(list))
    for use in uses:
        groups[(use.project_id, Quarter.of(use.day))][bisect.bisect_right(cuts, use.day)].append(use)
    offering = scope.pricer.catalogue.plan_for(Item(Offering.Kind.HPC)).offering
    lines, annex = [], []
    for (project_id, quarter), segments in sorted(groups.items(), key=lambda g: (projects[g[0][0]].code, g[0][1].end)):
        project = projects[project_id]
        annex_value, annex_uses = Decimal("0.00"), {}
        for segment in segments.values():
            for measure, invoiced in (("cpu", "cpu_invoiced"), ("gpu", "gpu_invoiced")):
                billed = [u for u in segment if getattr(u, invoiced)]
                lines += _priced(scope, project, offering, billed, measure, lambda u, f=invoiced: getattr(u, f))
                given = [u for u in segment if getattr(u, measure) > getattr(u, invoiced)]
                left = lambda u, m=measure, f=invoiced: getattr(u, m) - getattr(u, f)  # noqa: E731
                given_lines = _priced(scope, project, offering, given, measure, left)
                annex_value += sum((line.amount_ht for line in given_lines), Decimal("0.00"))
                annex_uses.update((u.pk, u) for u in given)
        if annex_uses:
            annex.append(_annex(project, quarter, list(annex_uses.values()), annex_value))
    return lines, annex


def _priced(scope, project, offering, uses: list[Use], measure: str, seconds) -> list[DraftLine]:
    """The line of ``seconds(use)`` of the uses' core-hours (``measure`` "cpu") or GPU hours, at the price of their
    first day, dated by their first and last days."""
    if not uses:
        return []
    hours = Decimal(sum(seconds(u) for u in uses)) / HOUR
    item = Item(Offering.Kind.HPC, "standard", **{"core_hours" if measure == "cpu" else "gpu_hours": hours})
    first, after = uses[0].day, uses[-1].day + datetime.timedelta(days=1)
    records = tuple(u.pk for u in uses)
    return [
        _line(project, offering, line, first, after, records=records, measure=measure)
        for line in scope.pricer.lines([item], first, QUARTER_SHARE, held=True)
    ]


def _annex(project: Project, quarter: Quarter, uses: list[Use], value: Decimal) -> AnnexLine:
    """What the committee's hours were worth: consumed (in the quarter, or arrived late for an issued one), at the
    academic price, beside the hours granted on the quarter's last day (on every cluster the project has hours on)."""
    granted_cpu = granted_gpu = 0
    for cluster in sorted({allocation.cluster for allocation in project.allocations.all()}):
        _allocations, on_cpu, on_gpu = granted(project, cluster, quarter.last_day, None)
        granted_cpu, granted_gpu = granted_cpu + on_cpu, granted_gpu + on_gpu
    return AnnexLine(
        project=project.code,
        quantity=Decimal(sum(u.cpu - u.cpu_invoiced for u in uses)) / HOUR,
        unit=_("core-hours"),
        value_ht=value,
        granted_core_hours=Decimal(granted_cpu),
        gpu_hours=Decimal(sum(u.gpu - u.gpu_invoiced for u in uses)) / HOUR,
        granted_gpu_hours=Decimal(granted_gpu),
        period_start=min(u.day for u in uses),
        period_end=max(u.day for u in uses),
        records=tuple(sorted({u.pk for u in uses})),
    )


# --- Which hours are invoiced ---------------------------------------------------------------------------------------


def attribute(scope: Scope, projects: dict[int, Project], uses: list[Use]) -> None:
    """Set each use's invoiced seconds: all of them for a company, none for the committee's hours, and for an
    academic project holding ordered and granted hours, its share of the ordered allocations (module's rule)."""
    company = scope.establishment.kind == Establishment.Kind.COMPANY
    ordered = set(
        Allocation.objects.filter(project__in=list(projects), resource__orders__type="create").values_list(
            "pk", flat=True
        )
    )
    order_of: dict[int, list[Allocation]] = {
        pk: sorted(p.allocations.all(), key=lambda a: (a.starts_on, a.pk)) for pk, p in projects.items()
    }
    mixed = {pk for pk, allocations in order_of.items() if len({a.pk in ordered for a in allocations}) == 2}
    shares = {} if company else _shares({pk: order_of[pk] for pk in mixed}, projects, ordered, scope.quarter.end)
    for use in uses:
        allocations = order_of[use.project_id]
        if company:
            invoiced = (use.cpu, use.gpu)
        elif use.project_id in mixed:
            # A job before any allocation started: with the first to start.
            fallback = (use.cpu, use.gpu) if allocations[0].pk in ordered else (0, 0)
            invoiced = shares.get(use.pk, fallback)
        else:  # only ordered hours are invoiced; only the committee's, or none at all, go to the annex
            invoiced = (use.cpu, use.gpu) if allocations and allocations[0].pk in ordered else (0, 0)
        use.cpu_invoiced, use.gpu_invoiced = invoiced


def _shares(
    mixed: dict[int, list[Allocation]], projects: dict[int, Project], ordered: set[int], end: datetime.date
) -> dict[int, tuple[int, int]]:
    """For every job of the mixed projects since their first allocation began, its invoiced (cpu, gpu) seconds."""
    if not mixed:
        return {}
    accounts = {account_name(projects[pk].code): pk for pk in mixed}
    since = min(allocations[0].starts_on for allocations in mixed.values())
    rows = (
        UsageRecord.objects.billable()
        .filter(account__in=list(accounts), day__gte=since, day__lt=end)
        .order_by("day", "pk")
        .values_list("pk", "account", "day", "cpu_seconds", "gpu_seconds")
    )
    left = {
        a.pk: [a.total_cpu_core_hours * 3600, a.total_gpu_hours * 3600] for allocs in mixed.values() for a in allocs
    }
    shares = {}
    for pk, account, day, cpu, gpu in rows:
        allocations = mixed[accounts[account]]
        started = [a for a in allocations if a.starts_on <= day]
        if started:
            shares[pk] = (_take(cpu, 0, started, left, ordered), _take(gpu, 1, started, left, ordered))
    return shares


def _take(seconds: int, which: int, started: list[Allocation], left: dict, ordered: set[int]) -> int:
    """Use up ``seconds`` from the started allocations in order; the invoiced part (the ordered allocations')."""
    invoiced = 0
    for allocation in started:
        taken = min(seconds, left[allocation.pk][which])
        left[allocation.pk][which] -= taken
        seconds -= taken
        invoiced += taken if allocation.pk in ordered else 0
    if seconds and started[-1].pk in ordered:  # beyond every allocation: with the last one started
        invoiced += seconds
    return invoiced
