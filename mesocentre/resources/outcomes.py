"""An order's end, as its backend said: ``record_outcome`` (subscribed to every backend's outcomes) ends the orders
waiting on an operation or on one it superseded, ``finish`` writes what the backend did to the order's resource —
its state, its backend id and address, its dated period opened, changed or closed."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.provisioning.models import Operation
from mesocentre.resources import placements, services
from mesocentre.resources.models import Order, RackReservation, Resource

State = Order.State

STEP_OF_TYPE = {
    Order.Type.CREATE: Resource.State.CREATING,
    Order.Type.UPDATE: Resource.State.UPDATING,
    Order.Type.TERMINATE: Resource.State.TERMINATING,
}


def record_outcome(operation: Operation, outcome) -> None:
    """The backend's outcome (``provisioning.outcomes``): end the orders waiting on this operation (or on one it
    superseded) and write what the backend did to their resources, in the transaction that ends the operation."""
    # An erred order too, when its failed operation was retried from the queue and has now succeeded.
    waiting = (State.EXECUTING, State.ERRED) if outcome.done else (State.EXECUTING,)
    orders = (
        Order.objects.select_for_update(of=("self",))
        .filter(state__in=waiting, operation_id__in=_chain(operation))
        .select_related("resource", "plan", "offering")
    )
    for order in orders:
        finish(order, done=outcome.done, result=outcome.result, error=outcome.error)


def _chain(operation: Operation) -> list[int]:
    """This operation and every one it superseded (an HPC account's target may be superseded by a newer one)."""
    ids, frontier = [operation.pk], [operation.pk]
    while frontier:
        frontier = list(Operation.objects.filter(superseded_by__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def finish(order: Order, *, done: bool, result: dict, error: str = "", at: datetime.datetime | None = None) -> None:
    """End an executing order as its backend said (``result``: ``backend_id``, ``address``, ``host``), with the
    resource's period opened, changed or closed ``at`` (now by default), inside the caller's transaction with the
    order's row locked. ``record_outcome`` calls it at an operation's end; the demo calls it to date its history."""
    at = at or timezone.now()
    resource = Resource.objects.select_for_update().get(pk=order.resource_id) if order.resource_id else None
    if not done:
        order.set_state(State.ERRED)
        order.error = error or _("The backend failed.")
        if resource is not None:
            resource.set_state(Resource.State.ERRED)
            resource.save()
        order.save()
        return
    if order.state == State.ERRED:  # its operation, retried from the queue, succeeded after all
        order.set_state(State.EXECUTING)
        order.error = ""
        if resource is not None and resource.state == Resource.State.ERRED:
            resource.set_state(STEP_OF_TYPE[order.type])
    order.set_state(State.DONE)
    order.finished_at = at
    if resource is not None:
        _apply_to_resource(order, resource, result, at)
    order.save()


def _apply_to_resource(order: Order, resource: Resource, result: dict, at: datetime.datetime) -> None:
    for key in ("backend_id", "address", "host"):
        value = result.get(key)
        if value not in (None, ""):
            setattr(resource, key, str(value)[:200])
    if order.type == Order.Type.TERMINATE:
        resource.set_state(Resource.State.TERMINATED)
        resource.save()
        services.end(resource, at)
        RackReservation.objects.filter(resource=resource, released_at__isnull=True).update(released_at=at)
        placements.release(resource)
        return
    resource.set_state(Resource.State.OK)
    resource.save()
    current = resource.periods.filter(valid_until__isnull=True).first()
    if current is None and not resource.periods.exists():
        services.start(resource, order.plan, order.quantities, at)
    elif current is None or current.plan_id != order.plan_id or current.quantities != order.quantities:
        services.change(resource, order.plan, order.quantities, at)
    # else: the resource holds that size already (another path gave it meanwhile): nothing to record twice
