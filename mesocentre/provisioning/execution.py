"""Claiming and applying operations: what the worker does, one operation at a time.

Claiming is a conditional UPDATE fenced on (state, attempts), after a ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL so that workers don't queue behind one another (SQLite, for the single-process demo, has no row
locks: the fence alone keeps it correct). Recording an outcome is fenced on (worker, attempts), so a worker
that lost its lease cannot overwrite its successor's. Every claim counts as an attempt, so an operation that
kills every worker that touches it ends failed instead of looping.

Every end of an operation (done, or failed for good) goes through ``end_operation``, which calls the outcome
handlers (``outcomes.py``) in the transaction of its fenced UPDATE: what the backend did reaches the resource and
the order with the end, or neither does.

While the driver applies, a ``Lease`` renews the claim from a thread of its own, fenced the same way, so a live
worker slower than its lease is never overtaken; the driver's ``checkpoint()`` stops it before its next backend
call once the claim is no longer its own.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Collection

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.provisioning import outcomes
from mesocentre.provisioning.drivers import (
    Deferred,
    LeaseLost,
    NotReady,
    PermanentError,
    checked_by,
    get_driver,
)
from mesocentre.provisioning.metrics import APPLY_SECONDS
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
                fail_for_good(fence, operation, _lost_lease_text(operation) + " " + _("No attempts left."))
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


class Lease:
    """This worker's claim on one attempt, renewed every third of the lease while the driver applies it.

    Every renewal is an UPDATE fenced on (operation, running, this worker, this attempt), as the outcome is: one
    that matches no row means another worker took the operation over, and the lease is lost for good. ``check``
    (what the driver's ``checkpoint()`` calls before a backend call) raises ``LeaseLost`` when the lease is lost,
    when the claim is no longer this worker's in the database, or when renewals have failed for so long that less
    than a third of the lease is left: not enough for one more backend call to finish before a takeover.
    """

    def __init__(self, operation: Operation, worker_id: str, seconds: float):
        self.operation_id = operation.pk
        self.worker_id = worker_id
        self.attempt = operation.attempts
        self.seconds = float(seconds)
        # Our own clock's reading of the claim's expiry; time.monotonic() is immune to the wall clock's jumps.
        remaining = (operation.lease_expires_at - timezone.now()).total_seconds() if operation.lease_expires_at else 0
        self._expires = time.monotonic() + remaining
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # A claim made inside a transaction not yet committed (only the in-process tests do that) is invisible to
        # the heartbeat's own connection, and locked against every other worker until it commits: nobody can take
        # it over, so there is nothing to renew.
        self._uncommitted = connection.in_atomic_block

    def _fence(self):
        return Operation.objects.filter(
            pk=self.operation_id, state=State.RUNNING, claimed_by=self.worker_id, attempts=self.attempt
        )

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def renew(self) -> bool:
        """Extend the claim by a whole lease from now, if it is still ours; False (and lost for good) if not."""
        if self.lost:
            return False
        started = time.monotonic()  # before the UPDATE: the expiry the database got is no earlier than this + lease
        if self._fence().update(lease_expires_at=timezone.now() + datetime.timedelta(seconds=self.seconds)):
            self._expires = started + self.seconds
            return True
        log.warning("Worker %s lost operation %s: another worker took it over.", self.worker_id, self.operation_id)
        self._lost.set()
        return False

    def check(self) -> None:
        """Raise ``LeaseLost`` unless this worker may make one more backend call for this attempt."""
        if self.lost:
            raise LeaseLost(self._lost_text())
        if not self._uncommitted and time.monotonic() > self._expires - self.seconds / 3:
            raise LeaseLost(
                f"Worker {self.worker_id} could not renew its lease on operation {self.operation_id} in time."
            )
        # Read, not only trusted from the heartbeat: a takeover stops the very next backend call, however late the
        # heartbeat's next turn is.
        try:
            ours = self._fence().exists()
        except DatabaseError as exc:  # unverifiable is not ours: the backend must not be changed blind
            raise LeaseLost(f"The lease on operation {self.operation_id} could not be checked: {exc}") from exc
        if not ours:
            self._lost.set()
            raise LeaseLost(self._lost_text())

    def _lost_text(self) -> str:
        # Log text only (a lost attempt records nothing), hence not translated.
        return f"Worker {self.worker_id} no longer holds attempt {self.attempt} of operation {self.operation_id}."

    def __enter__(self) -> Lease:
        if not self._uncommitted:
            self._thread = threading.Thread(target=self._heartbeat, name=f"lease-{self.operation_id}", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread is not None:
            # Bounded: a heartbeat stuck on an unreachable database must not keep the worker; the fenced outcome
            # that follows is right whatever the heartbeat last did.
            self._thread.join(timeout=self.seconds)

    def _heartbeat(self) -> None:
        interval = self.seconds / 3
        try:
            while not self._stop.wait(interval):
                try:
                    if not self.renew():
                        return
                    interval = self.seconds / 3
                except DatabaseError as exc:
                    # Try again sooner: check() refuses backend calls once a third of the lease is all that is left.
                    log.warning(
                        "Worker %s could not renew its lease on operation %s: %s",
                        self.worker_id,
                        self.operation_id,
                        exc,
                    )
                    connection.close()
                    interval = self.seconds / 10
        finally:
            connection.close()  # this thread's own connection: Django opens one per thread and never closes it


def run_operation(operation: Operation, worker_id: str) -> Operation:
    """Apply a claimed operation through its backend's driver and record the outcome; backend errors never escape.

    The lease is renewed while the driver works; an attempt whose lease was lost records nothing."""
    try:
        driver = get_driver(operation.backend)
    except LookupError as exc:
        return _record_failure(operation, worker_id, _error_text(exc))
    try:
        with Lease(operation, worker_id, driver.lease_seconds) as lease, checked_by(lease.check):
            lease.check()  # a worker that woke up after a takeover hands nothing to the driver, whatever the driver
            # The backend's time alone, failures included; a per-process histogram, which only the worker's own
            # --metrics-port exports (see metrics.py).
            with APPLY_SECONDS.labels(operation.backend).time():
                result = driver.apply(operation)
    except LeaseLost as exc:
        # Another worker holds the operation now and records its outcome; ours would only be overwritten or refused.
        log.warning("Operation %s: %s Nothing recorded for this attempt.", operation.pk, exc)
        operation.refresh_from_db()
        operation.lease_lost = True  # the worker counts it apart (see Worker._apply)
        return operation
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
    result = result if isinstance(result, dict) else {"value": result}
    try:
        end_operation(_fence(operation, worker_id), operation, done=True, result=result)
    except Exception as exc:  # a handler's bug: the work is not recorded done without its outcome (outcomes.py)
        log.exception("Operation %s: the outcome handlers refused its end.", operation.pk)
        text = _("The backend did its work but its outcome could not be recorded: %(error)s") % {
            "error": _error_text(exc)
        }
        return _record_failure(operation, worker_id, text)
    operation.refresh_from_db()
    return operation


def end_operation(fence, operation: Operation, *, done: bool, result: dict | None = None, error: str = "") -> bool:
    """End ``operation`` (done with ``result``, or failed for good with ``error``) through ``fence`` (a queryset of
    the operation that matches only while the caller may end it), and call the outcome handlers in the same
    transaction. False, and no handler called, if the fence matched nothing; a handler's exception rolls the end
    back and is the caller's to handle."""
    now = timezone.now()
    changes = {"lease_expires_at": None, "finished_at": now, "last_updated": now}
    if done:
        changes.update(state=State.DONE, result=result or {}, last_error="")
    else:
        changes.update(state=State.FAILED, last_error=error)
    with transaction.atomic():
        if not fence.update(**changes):
            log.warning("Operation %s was not ended: it is no longer in the state its caller saw.", operation.pk)
            return False
        operation.refresh_from_db()
        outcome = outcomes.Outcome(
            state=operation.state, result=dict(operation.result or {}) if done else dict(result or {}), error=error
        )
        outcomes.notify(operation, outcome)
    return True


def fail_for_good(fence, operation: Operation, error: str) -> None:
    """End the operation failed; if the outcome handlers refuse, put it back in the queue instead (its attempt given
    back, after the backoff) so that it never ends without its outcome: a newer target, if any, supersedes it."""
    try:
        end_operation(fence, operation, done=False, error=error, result=operation.result)
        return
    except Exception as exc:
        log.exception("Operation %s: the outcome handlers refused its failure.", operation.pk)
        error = "\n".join(
            [
                error,
                _("Its failure could not be recorded, it will be tried again: %(error)s") % {"error": _error_text(exc)},
            ]
        )
    now = timezone.now()
    newer = newer_operation(operation)
    if newer is not None:
        fence.update(
            state=State.CANCELLED,
            superseded_by=newer,
            last_error=error,
            lease_expires_at=None,
            finished_at=now,
            last_updated=now,
        )
    else:
        fence.update(
            state=State.PENDING,
            attempts=F("attempts") - 1,
            last_error=error,
            lease_expires_at=None,
            next_attempt_at=now + backoff_delay(operation.attempts),
            last_updated=now,
        )


def _error_text(exc: BaseException) -> str:
    messages = getattr(exc, "messages", None)  # a ValidationError (a handler's refusal): its words, not its repr
    text = " ".join(str(m) for m in messages).strip() if isinstance(messages, list) else str(exc).strip()
    return text if text else type(exc).__name__


def _fence(operation: Operation, worker_id: str):
    """The operation, while this worker still holds this attempt."""
    return Operation.objects.filter(
        pk=operation.pk, state=State.RUNNING, claimed_by=worker_id, attempts=operation.attempts
    )


def _fenced_update(operation: Operation, worker_id: str, **changes) -> bool:
    """Update only if this worker still holds this attempt; a worker that lost its lease changes nothing."""
    changes.setdefault("last_updated", timezone.now())
    updated = _fence(operation, worker_id).update(**changes)
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
                    fail_for_good(_fence(operation, worker_id), operation, error)
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
