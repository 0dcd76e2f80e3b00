"""An allocation is also a resource of the HPC offering: what a project holds, in one place with its VMs and racks.

Each allocation is linked to one ``resources.Resource`` of the catalogue's HPC offering (kind ``hpc``; the one of
code ``hpc`` if there are several), backend ``slurm``, identified there by the project's Slurm account, whose
periods hold the hours granted (``{"core_hours": …, "gpu_hours": …}``, the sizes of the HPC plan, only those above
0) from the allocation's start, midnight in the platform's time zone.

``follow(allocation)`` makes the resource say what the allocation says; every verb that changes an allocation
calls it in its own transaction (the committee's decision, adoption, the demo, change requests, suspensions,
expiry, a project's closing):

- no resource yet: one is created, state ok, with its first period (if the catalogue has no HPC offering, as on an
  installation without the catalogue's data, nothing is created and the link stays empty; a later ``follow`` makes
  it once the offering exists);
- the hours granted changed (approved change requests, a new decision): a new period from that moment
  (``resources.services.change``); a period that has not begun yet (an allocation scheduled for later) holds
  nothing billed, and takes the new hours in place;
- expired (its end, an operator's expiry, the project's closing): the open period ends at the allocation's end (or
  now, if earlier) and the resource goes to terminated along its table of states; a period that had not begun is
  removed (nothing was held);
- expired then granted again (resumed, extended): a terminated resource never comes back, so a new resource is
  created from that moment, and the allocation is linked to it; the terminated one keeps its history.

A resource in the middle of an order (creating, updating, terminating) or erred is left to that order: the order's
outcome writes its period (``resources.orders``), and writing one here too would make two. Suspending changes
nothing: the hours are still granted (the Slurm limit drops to 0 because the account is paused).
"""

from __future__ import annotations

import datetime
from collections import deque

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.catalogue.models import Component, Offering, Plan
from mesocentre.hpc.models import Allocation, ChangeRequest
from mesocentre.projects.naming import account_name
from mesocentre.resources import orders
from mesocentre.resources import services as resources
from mesocentre.resources.models import Resource

State = Resource.State
BACKEND = "slurm"


def hpc_plan() -> Plan | None:
    """The plan hours are held on: the HPC offering's (by kind; the one of code ``hpc`` first) plan sized by
    core-hours. None when the catalogue has none."""
    offerings = Offering.objects.filter(kind=Offering.Kind.HPC)
    offering = offerings.filter(code="hpc").first() or offerings.order_by("pk").first()
    if offering is None:
        return None
    plans = offering.plans.filter(components__sized_by=Component.SizedBy.CORE_HOURS).distinct()
    return plans.order_by("order", "code").first()


def midnight(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the platform's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def ends_at(allocation: Allocation) -> datetime.datetime:
    """The moment after the allocation's last day (its end date is included)."""
    return midnight(allocation.ends_on + datetime.timedelta(days=1))


def granted_hours(allocation: Allocation) -> tuple[int, int]:
    """Core-hours and GPU hours granted, with the approved change requests (read from the database, whatever the
    allocation's prefetched requests say)."""
    extra = ChangeRequest.objects.filter(allocation=allocation, status=ChangeRequest.Status.APPROVED).aggregate(
        cpu=Sum("extra_cpu_core_hours"), gpu=Sum("extra_gpu_hours")
    )
    return allocation.cpu_core_hours + (extra["cpu"] or 0), allocation.gpu_hours + (extra["gpu"] or 0)


def held(allocation: Allocation) -> dict[str, str] | None:
    """The hours granted as a period holds them; None when the plan cannot hold them (it requires core-hours: a
    grant of GPU hours alone has no period)."""
    cpu, gpu = granted_hours(allocation)
    if cpu <= 0:
        return None
    return {"core_hours": str(cpu), **({"gpu_hours": str(gpu)} if gpu > 0 else {})}


def resource_name(allocation: Allocation) -> str:
    return f"{account_name(allocation.project.code)}@{allocation.cluster} {allocation.starts_on:%Y-%m-%d}"[:100]


def move(resource: Resource, state: str) -> None:
    """Take ``resource`` to ``state`` through the states its table allows (each step saved, so audited)."""
    paths = deque([[resource.state]])
    seen = {resource.state}
    while paths:
        path = paths.popleft()
        if path[-1] == state:
            for step in path[1:]:
                resource.set_state(step)
                resource.save()
            return
        # Never through "erred": an expiry is no failure, and every step is audited.
        for following in sorted(Resource.TRANSITIONS[path[-1]] - seen - {Resource.State.ERRED}):
            seen.add(following)
            paths.append([*path, following])
    resource.set_state(state)  # no path: refused, naming the states


def follow(allocation: Allocation, at: datetime.datetime | None = None) -> Resource | None:
    """Make the allocation's resource say what the allocation says now (see the module's text); ``at``: the moment
    of the change (now by default). Returns the allocation's resource (None: the catalogue has no HPC offering)."""
    at = at or timezone.now()
    resource = _locked(allocation)
    expired = allocation.status == Allocation.Status.EXPIRED
    if resource is None or (resource.state == State.TERMINATED and not expired):
        return _create(allocation, at)
    if resource.state != State.OK:
        return resource  # an order is under way on it, or it erred: the order's outcome writes it
    if expired:
        _end(resource, min(at, ends_at(allocation)))
        _terminate(resource)
        return resource
    _hold(resource, allocation, at)
    return resource


def withdraw(allocation: Allocation, at: datetime.datetime | None = None) -> None:
    """The grant is withdrawn (a decision of no hours deletes its allocation): its resource ends now."""
    at = at or timezone.now()
    resource = _locked(allocation)
    if resource is None or resource.state != State.OK:
        return
    _end(resource, at)
    _terminate(resource)


def _terminate(resource: Resource) -> None:
    """The hours are over: the resource is terminated, and the orders still waiting on it are cancelled."""
    move(resource, State.TERMINATED)
    orders.cancel_pending(resource, _("The hours ended: their allocation expired or was withdrawn."))


def _locked(allocation: Allocation) -> Resource | None:
    if allocation.resource_id is None:
        return None
    return Resource.objects.select_for_update().filter(pk=allocation.resource_id).first()


def _create(allocation: Allocation, at: datetime.datetime) -> Resource | None:
    plan = hpc_plan()
    if plan is None:
        # No HPC offering in the catalogue (an installation without its data): the link stays empty, and the next
        # change of the allocation makes it once the offering exists.
        return None
    first = allocation.resource_id is None
    resource = Resource.objects.create(
        project=allocation.project,
        offering=plan.offering,
        name=resource_name(allocation),
        state=State.OK,
        backend=BACKEND,
        backend_id=account_name(allocation.project.code),
    )
    allocation.resource = resource
    allocation.save(update_fields=["resource", "last_updated"])
    quantities = held(allocation)
    # Its first link: from the allocation's start. Granted again after its resource was terminated: from now.
    start = midnight(allocation.starts_on) if first else max(at, midnight(allocation.starts_on))
    if quantities is not None:
        resources.start(resource, plan, quantities, start)
    if allocation.status == Allocation.Status.EXPIRED:  # an old unlinked row, touched after it expired
        _end(resource, min(max(at, start), ends_at(allocation)))
        move(resource, State.TERMINATED)
    return resource


def _hold(resource: Resource, allocation: Allocation, at: datetime.datetime) -> None:
    current = resource.periods.filter(valid_until__isnull=True).select_related("plan").first()
    quantities = held(allocation)
    if current is None:
        if quantities is not None and not resource.periods.exists():  # a grant of GPU hours now has core-hours
            plan = hpc_plan()
            if plan is not None:
                resources.start(resource, plan, quantities, max(at, midnight(allocation.starts_on)))
        return
    if current.valid_from >= at:
        # Not begun yet (a scheduled allocation): nothing of it was held, it takes the new figures in place.
        if quantities is None:
            current.delete()
            return
        current.quantities = quantities
        if not resource.periods.exclude(pk=current.pk).exists():  # a new decision may have moved the start
            current.valid_from = midnight(allocation.starts_on)
        current.save()
        return
    if quantities is None:
        resources.end(resource, at)
    elif quantities != current.quantities:
        resources.change(resource, current.plan, quantities, at)


def _end(resource: Resource, at: datetime.datetime) -> None:
    resources.end(resource, at)  # a period that had not begun goes (nothing was held)
