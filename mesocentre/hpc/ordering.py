"""HPC hours ordered outside the calls (a company's project, or any project between rounds): the executor of the
HPC offering's orders (``resources.registry``), called in the transaction of the order's approval.

- **create**: an allocation of the hours ordered (``core_hours``, ``gpu_hours`` of the HPC plan; Slurm grants whole
  hours) on the default cluster, from today to the day before the same date a year later (a year, its end date
  included, as the committee's allocations count theirs), linked to the order's resource, whose identifier is the
  project's Slurm account. The account's target is queued by the path the committee's decisions take
  (``accounts.queue_target``, through ``_push_to_slurm``); its operation ends the order (``resources.orders``
  follows the targets that superseded it), whose outcome opens the resource's first period: the executor writes
  none, and ``holdings.follow`` leaves a resource that is being created alone. A retry of an erred order finds its
  allocation and queues the target again.
- **update** (more hours): an approved request for more hours of the allocation, the difference between what is
  ordered and what is granted (hours granted are not taken back, nor added to an allocation not started yet, whose
  period the outcome could not follow); the order's outcome opens the new period.
- **terminate**: the allocation expires now, as an operator's expiry does (the Slurm limits drop to 0, the account
  goes after the grace period); the order ends with that target's operation, its outcome ending the resource. An
  allocation already expired queues nothing: the order ends at once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core.formatting import number
from mesocentre.hpc import holdings
from mesocentre.hpc.accounts import _push_to_slurm
from mesocentre.hpc.models import Allocation, ChangeRequest
from mesocentre.hpc.models.allocations import DEFAULT_CLUSTER
from mesocentre.projects.naming import account_name
from mesocentre.provisioning.models import Operation
from mesocentre.resources.models import Order


def a_year_from(day: datetime.date) -> datetime.date:
    """The last day of the year that starts on ``day``: the day before the same date a year later (29 February
    counts to 28 February, and 1 March of a leap year to the last day of February)."""
    try:
        same = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        same = datetime.date(day.year + 1, 3, 1)
    return same - datetime.timedelta(days=1)


def execute(order: Order) -> Operation | None:
    if order.type == Order.Type.CREATE:
        return _create(order)
    if order.type == Order.Type.UPDATE:
        return _more_hours(order)
    return _terminate(order)


def _actor(order: Order):
    return order.provider_reviewed_by or order.consumer_reviewed_by or order.created_by


def _hours(order: Order) -> tuple[int, int]:
    figures = []
    for code in ("core_hours", "gpu_hours"):
        value = Decimal(str(order.quantities.get(code, "0")))
        if value != value.to_integral():
            raise ValidationError(
                {"quantities": _("Slurm grants whole hours: %(code)s is %(value)s.") % {"code": code, "value": value}}
            )
        figures.append(int(value))
    return figures[0], figures[1]


def _queue(allocation: Allocation, actor) -> Operation:
    """The account's target on the allocation's cluster, queued as every change of HPC hours queues it."""
    operations = _push_to_slurm(allocation.project, actor)
    return next(op for op in operations if op.target["cluster"] == allocation.cluster)


def _allocation_of(order: Order) -> Allocation | None:
    return Allocation.objects.select_for_update().filter(resource_id=order.resource_id).first()


def _create(order: Order) -> Operation:
    resource = order.resource
    allocation = _allocation_of(order)
    if allocation is None:  # a retry finds the one its first execution made
        today = timezone.localdate()
        cpu, gpu = _hours(order)
        allocation = Allocation(
            project=order.project,
            cluster=DEFAULT_CLUSTER,
            cpu_core_hours=cpu,
            gpu_hours=gpu,
            starts_on=today,
            ends_on=a_year_from(today),
            resource=resource,
        )
        allocation.save()
    resource.backend_id = account_name(order.project.code)
    resource.save()
    return _queue(allocation, _actor(order))


def _more_hours(order: Order) -> Operation:
    allocation = _allocation_of(order)
    if allocation is None or allocation.status == Allocation.Status.EXPIRED:
        raise ValidationError({"resource": _("This resource holds no HPC allocation in force: order new hours.")})
    if holdings.midnight(allocation.starts_on) > timezone.now():
        raise ValidationError(
            {
                "resource": _("These hours count from %(day)s: order more once they have started.")
                % {"day": allocation.starts_on.isoformat()}
            }
        )
    cpu, gpu = _hours(order)
    granted_cpu, granted_gpu = holdings.granted_hours(allocation)
    if cpu < granted_cpu or gpu < granted_gpu:
        raise ValidationError(
            {
                "quantities": _(
                    "Hours granted are not taken back: order at least the %(cpu)s core-hours and %(gpu)s GPU hours "
                    "granted."
                )
                % {"cpu": number(granted_cpu), "gpu": number(granted_gpu)}
            }
        )
    if (cpu, gpu) == (granted_cpu, granted_gpu):  # granted meanwhile by a change request of the committee's path
        raise ValidationError({"quantities": _("These hours are granted already: nothing to add.")})
    ChangeRequest.objects.create(
        allocation=allocation,
        change_type=ChangeRequest.Kind.MORE_HOURS,
        extra_cpu_core_hours=cpu - granted_cpu,
        extra_gpu_hours=gpu - granted_gpu,
        justification=_("Ordered: order #%(pk)s.") % {"pk": order.pk},
        status=ChangeRequest.Status.APPROVED,
        requested_by=order.created_by,
        decided_by=_actor(order),
    )
    return _queue(allocation, _actor(order))


def _terminate(order: Order) -> Operation | None:
    allocation = _allocation_of(order)
    if allocation is None or allocation.status == Allocation.Status.EXPIRED:
        return None  # nothing left in Slurm to end: the order ends at once
    # As an operator's expiry (``services.set_allocation_status``), whose approval here is the order's.
    allocation.set_status(Allocation.Status.EXPIRED)
    allocation.save(update_fields=["status", "expired_on", "last_updated"])
    return _queue(allocation, _actor(order))


def withdraw(order: Order) -> None:
    """An erred order of hours, cancelled: the allocation it granted expires (its Slurm limits drop to 0), as if
    terminated, since its resource is."""
    _terminate(order)


def lock(order: Order) -> None:
    """The allocation of the order's resource, locked before the resource (as the HPC paths do: allocation, then
    its resource in ``holdings``), so that an operator's expiry and a team's approval never deadlock."""
    if order.resource_id is not None:
        list(Allocation.objects.select_for_update().filter(resource_id=order.resource_id))
