"""Provisioning verbs: enqueue a target, claim and apply operations, retry, complete manual tasks.

The queue's guarantees, and where each comes from:
- *Written with the change or not at all*: ``enqueue`` runs inside the caller's transaction (it refuses to run
  outside one) and only adds a savepoint.
- *Newest target wins*: targets are absolute, so enqueuing cancels the older operations of the resource that
  have not run (pending, failed, awaiting an operator) and points them at their successor.
- *One resource at a time*: at most one operation per resource is pending and one running or waiting (named
  constraints); a pending operation waits while an older one of its resource runs.
- *Nothing applied twice at once, nothing lost*: ``claim_next`` and ``run_operation`` (in ``execution.py``,
  re-exported here) fence every change and lease every claim; a dead worker's operation is taken over when
  its lease expires, and applying again is harmless because targets are absolute.
- *What the backend did reaches the apps above with the end*: every end (done, failed for good, a manual task
  completed) goes through ``execution.end_operation``, which tells the outcome handlers (``outcomes.py``) in the
  transaction of the end.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.catalogue.models import Offering
from mesocentre.core.roles import is_operator
from mesocentre.provisioning.drivers import get_driver
from mesocentre.provisioning.execution import (
    backoff_delay,
    cancel_open_tasks,
    claim_next,
    end_operation,
    newer_operation,
    run_operation,
)
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.tenancy.models import is_team_member

__all__ = [
    "backoff_delay",
    "claim_next",
    "complete_manual_task",
    "enqueue",
    "may_handle",
    "queue_depth",
    "retry",
    "run_operation",
]

log = logging.getLogger(__name__)

State = Operation.State
DEFAULT_MAX_ATTEMPTS = 5
SUPERSEDABLE = (State.PENDING, State.FAILED, State.WAITING)


def queue_depth() -> int:
    return Operation.objects.filter(state__in=[State.PENDING, State.RUNNING]).count()


def enqueue(
    backend: str,
    resource_type: str,
    resource_key: str,
    target: dict,
    *,
    requested_by=None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Operation:
    """Queue ``target`` as the whole desired state of a resource, in the caller's transaction."""
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "enqueue() must run inside the transaction of the change it provisions (transaction.atomic())."
        )
    try:
        get_driver(backend)
    except LookupError as exc:
        raise ValidationError({"backend": str(exc)}) from None
    # A concurrent enqueue for the same resource makes our insert hit the one-pending index once it commits;
    # the second try then sees its row and supersedes it.
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _supersede_and_insert(backend, resource_type, resource_key, target, requested_by, max_attempts)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _supersede_and_insert(backend, resource_type, resource_key, target, requested_by, max_attempts) -> Operation:
    now = timezone.now()
    resource = Operation.objects.for_resource(backend, resource_type, resource_key)
    older = list(resource.select_for_update().filter(state__in=SUPERSEDABLE).values_list("pk", flat=True))
    # Cancel first: the new row could not be inserted next to an older pending one.
    resource.filter(pk__in=older).update(state=State.CANCELLED, finished_at=now, last_updated=now)
    operation = Operation(
        backend=backend,
        resource_type=resource_type,
        resource_key=resource_key,
        target=target,
        requested_by=requested_by,
        max_attempts=max_attempts,
    )
    operation.save()
    resource.filter(pk__in=older).update(superseded_by=operation)
    cancel_open_tasks(older, f"Superseded by operation #{operation.pk}.")
    return operation


def retry(operation: Operation, actor) -> Operation:
    """An operator puts a failed operation back in the queue, with a fresh set of attempts."""
    if not is_operator(actor):
        raise PermissionDenied(_("Only operators retry operations."))
    with transaction.atomic():
        operation = Operation.objects.select_for_update().get(pk=operation.pk)
        if operation.state != State.FAILED:
            raise ValidationError(_("Only a failed operation can be retried."))
        newer = newer_operation(operation)
        if newer is not None:
            raise ValidationError(
                _("Operation #%(pk)s holds a newer target for this resource: retrying this one would undo it.")
                % {"pk": newer.pk}
            )
        operation.state = State.PENDING
        operation.attempts = 0
        operation.next_attempt_at = timezone.now()
        operation.finished_at = None
        operation.retried_by = actor
        operation.retried_at = timezone.now()
        operation.save()
    return operation


def may_handle(user, task: ManualTask) -> bool:
    """Who may complete a manual task: the members of the team of the offering its target names (an order's task
    names the offering's code), or any operator for a task that names no offering of the catalogue."""
    target = task.operation.target if isinstance(task.operation.target, dict) else {}
    code = target.get("offering")
    offering = Offering.objects.filter(code=code).select_related("team").first() if isinstance(code, str) else None
    if offering is not None:
        return is_team_member(user, offering.team)
    return is_operator(user)


def complete_manual_task(task: ManualTask, actor, done: bool, comment: str, backend_id: str = "") -> ManualTask:
    """Someone of the offering's team did (or could not do) a manual task: its operation ends done with
    ``{"backend_id", "notes"}`` as its result, or failed with the comment as its error, through ``end_operation``
    like every other end, so that the outcome handlers record it in this transaction. A refusal (a closed task, no
    identifier, a handler's) leaves everything as it was."""
    if not may_handle(actor, task):
        raise PermissionDenied(_("Only the members of the offering's team complete its manual tasks."))
    comment, backend_id = (comment or "").strip(), (backend_id or "").strip()
    with transaction.atomic():
        task = ManualTask.objects.select_for_update().get(pk=task.pk)
        if not task.is_open:
            raise ValidationError(
                {"status": _("This task is already closed (%(status)s).") % {"status": task.get_status_display()}}
            )
        operation = Operation.objects.select_for_update().get(pk=task.operation_id)
        task.status = ManualTask.Status.DONE if done else ManualTask.Status.FAILED
        task.comment, task.completed_by, task.completed_at = comment, actor, timezone.now()
        task.backend_id = backend_id if done else ""
        task.full_clean()
        task.save()
        # RUNNING too: the operator may be quicker than the worker that is recording the hand-over.
        if operation.state in (State.WAITING, State.RUNNING):
            _end_manual_operation(task, operation, actor, done)
    return task


def _end_manual_operation(task: ManualTask, operation: Operation, actor, done: bool) -> None:
    result = {
        **(operation.result or {}),
        "backend_id": task.backend_id,
        "notes": task.comment,
        "completed_by": actor.get_username(),
    }
    fence = Operation.objects.filter(pk=operation.pk, state=operation.state)
    try:
        if done:
            end_operation(fence, operation, done=True, result=result)
        else:
            end_operation(fence, operation, done=False, error=task.comment, result=operation.result)
    except ValidationError:
        raise  # a handler's refusal, naming its field: the task stays open
    except Exception as exc:
        log.exception("Manual task %s: the outcome handlers refused its end.", task.pk)
        raise ValidationError(
            _("The task stays open: its outcome could not be recorded (%(error)s).") % {"error": exc}
        ) from exc


def unconfigured_slurm_clusters() -> list[str]:
    """Clusters that unfinished Slurm operations name but nobody declared: their operations can only wait."""
    from mesocentre.provisioning.slurm.clusters import configured

    unfinished = Operation.objects.filter(backend="slurm").exclude(
        state__in=[Operation.State.DONE, Operation.State.CANCELLED]
    )
    names = {key.partition(":")[0] for key in unfinished.values_list("resource_key", flat=True)}
    return sorted(names - configured(names))
