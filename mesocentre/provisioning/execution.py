"""Claiming and applying operations: what the worker does, one operation at a time.

Claiming is a conditional UPDATE fenced on (state, attempts), after a ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL so that workers don't queue behind one another (SQLite, for the single-process demo, has no row
locks: the fence alone keeps it correct). Recording an outcome is fenced on (worker, attempts), so a worker
that lost its lease cannot overwrite its successor's. Every claim counts as an attempt, so an operation that
kills every worker that touches it ends failed instead of looping.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.provisioning.drivers import Deferred, NotReady, PermanentError, get_driver
from mesocentre.provisioning.models import ManualTask, Operation

log = logging.getLogger(__name__)

State = Operation.State
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=1)
DEFAULT_LEASE_SECONDS = 300


def backoff_delay(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at one hour: the delay before attempt number ``attempts + 1``."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempts - 1, 0))


def cancel_open_tasks(operation_ids, comment: str) -> None:
    for task in ManualTask.objects.filter(operation_id__in=operation_ids, status=ManualTask.Status.OPEN):
        task.status, task.comment = ManualTask.Status.CANCELLED, comment
        task.save()  # one by one, so the audit log records it


def _lease_seconds(backend: str) -> int:
    try:
        return get_driver(backend).lease_seconds
    except LookupError:
        return DEFAULT_LEASE_SECONDS


def _due(now: datetime.datetime):
    # A resource's pending operation waits while an older one of the same resource is running or waiting.
    busy = Operation.objects.filter(
        backend=OuterRef("backend"),
        resource_type=OuterRef("resource_type"),
        resource_key=OuterRef("resource_key"),
        state__in=[State.RUNNING, State.WAITING],
    )
    return (
        Operation.objects.annotate(busy=Exists(busy))
        .filter(
            Q(state=State.PENDING, next_attempt_at__lte=now, busy=False, attempts__lt=F("max_attempts"))
            | Q(state=State.RUNNING, lease_expires_at__lt=now)
        )
        .order_by("next_attempt_at", "pk")
    )


def claim_next(worker_id: str, exclude: Collection[int] = ()) -> Operation | None:
    """Take the next due operation (or one whose worker's lease expired) and mark it running for ``worker_id``;
    ``exclude``: ids this worker found not ready (its backend is not configured) and leaves alone for now."""
    for _attempt in range(10):
        now = timezone.now()
        with transaction.atomic():
            candidates = _due(now).exclude(pk__in=list(exclude))
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            # SQLite (the single-process demo) has no row locks: the fenced UPDATE below is what keeps it safe.
            operation = candidates.first()
            if operation is None:
                return None
            fence = Operation.objects.filter(pk=operation.pk, state=operation.state, attempts=operation.attempts)
            if operation.state == State.RUNNING and operation.attempts >= operation.max_attempts:
                fence.update(
                    state=State.FAILED,
                    last_error=_lost_lease_text(operation) + " " + _("No attempts left."),
                    lease_expires_at=None,
                    finished_at=now,
                    last_updated=now,
                )
                continue
            changes = {
                "state": State.RUNNING,
                "attempts": F("attempts") + 1,
                "claimed_by": worker_id,
                "claimed_at": now,
                "lease_expires_at": now + datetime.timedelta(seconds=_lease_seconds(operation.backend)),
                "last_updated": now,
            }
            if operation.state == State.RUNNING:
                changes["last_error"] = _lost_lease_text(operation)
            if fence.update(**changes):
                operation.refresh_from_db()
                return operation
    return None


def _lost_lease_text(operation: Operation) -> str:
    return _("Worker %(worker)s did not finish attempt %(attempt)s before its lease expired.") % {
        "worker": operation.claimed_by,
        "attempt": operation.attempts,
    }


def run_operation(operation: Operation, worker_id: str) -> Operation:
    """Apply a claimed operation through its backend's driver and record the outcome; backend errors never escape."""
    try:
        result = get_driver(operation.backend).apply(operation)
    except Deferred as deferred:
        return _hand_over(operation, worker_id, deferred.result)
    except NotReady as exc:
        operation = _record_failure(operation, worker_id, _error_text(exc), not_ready=True)
        operation.not_ready = True  # the worker leaves it alone for a while (see Worker.NOT_READY_PAUSE)
        return operation
    except PermanentError as exc:
        return _record_failure(operation, worker_id, _error_text(exc), permanent=True)
    except Exception as exc:  # any backend failure is recorded and retried, never lost in a log
        log.warning("Operation %s failed: %s", operation.pk, exc, exc_info=True)
        return _record_failure(operation, worker_id, _error_text(exc))
    now = timezone.now()
    _fenced_update(
        operation,
        worker_id,
        state=State.DONE,
        result=result if isinstance(result, dict) else {"value": result},
        last_error="",
        lease_expires_at=None,
        finished_at=now,
    )
    operation.refresh_from_db()
    return operation


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if text else type(exc).__name__


def _fenced_update(operation: Operation, worker_id: str, **changes) -> bool:
    """Update only if this worker still holds this attempt; a worker that lost its lease changes nothing."""
    changes.setdefault("last_updated", timezone.now())
    updated = Operation.objects.filter(
        pk=operation.pk, state=State.RUNNING, claimed_by=worker_id, attempts=operation.attempts
    ).update(**changes)
    if not updated:
        log.warning("Worker %s lost operation %s before recording its outcome.", worker_id, operation.pk)
    return bool(updated)


def newer_operation(operation: Operation) -> Operation | None:
    resource = Operation.objects.for_resource(operation.backend, operation.resource_type, operation.resource_key)
    return resource.filter(pk__gt=operation.pk).exclude(state=State.CANCELLED).order_by("-pk").first()


def _supersede(operation: Operation, worker_id: str, newer: Operation, **changes) -> None:
    _fenced_update(
        operation,
        worker_id,
        state=State.CANCELLED,
        superseded_by=newer,
        lease_expires_at=None,
        finished_at=timezone.now(),
        **changes,
    )


def _hand_over(operation: Operation, worker_id: str, result: dict) -> Operation:
    with transaction.atomic():
        newer = newer_operation(operation)
        if newer is not None:  # enqueued while we were applying: the operator should do the newer one only
            _supersede(operation, worker_id, newer, result=result)
            cancel_open_tasks([operation.pk], f"Superseded by operation #{newer.pk}.")
        else:
            _fenced_update(operation, worker_id, state=State.WAITING, result=result, lease_expires_at=None)
    operation.refresh_from_db()
    return operation


def _record_failure(
    operation: Operation, worker_id: str, error: str, *, permanent: bool = False, not_ready: bool = False
) -> Operation:
    """Back to pending with backoff, or failed; superseded if a newer target came meanwhile. ``not_ready``: the
    backend is not configured, nothing was tried: pending again at once, the attempt given back."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                newer = newer_operation(operation)
                if newer is not None:
                    _supersede(operation, worker_id, newer, last_error=error)
                elif not_ready:
                    _fenced_update(
                        operation,
                        worker_id,
                        state=State.PENDING,
                        attempts=operation.attempts - 1,
                        last_error=error,
                        lease_expires_at=None,
                    )
                elif permanent or operation.attempts >= operation.max_attempts:
                    _fenced_update(
                        operation,
                        worker_id,
                        state=State.FAILED,
                        last_error=error,
                        lease_expires_at=None,
                        finished_at=timezone.now(),
                    )
                else:
                    _fenced_update(
                        operation,
                        worker_id,
                        state=State.PENDING,
                        last_error=error,
                        lease_expires_at=None,
                        next_attempt_at=timezone.now() + backoff_delay(operation.attempts),
                    )
            break
        except IntegrityError:  # a newer target was enqueued between our check and our update: look again
            if attempt == 1:
                raise
    operation.refresh_from_db()
    return operation
