"""Drivers for the tests only, under backend names starting with "test-".

In-process tests import this module; subprocess workers load it through the environment:
``MESOCENTRE_EXTRA_DRIVERS=mesocentre.provisioning.tests.drivers``. Every application is appended, one line
each, to ``$MESOCENTRE_TEST_DRIVER_LOG`` so a test can count how many times each operation was applied.
"""

import os
import time

from mesocentre.provisioning.drivers import DriftItem, Driver, DriverError, PermanentError, checkpoint, register

LOG_ENV = "MESOCENTRE_TEST_DRIVER_LOG"
BLOCK_ENV = "MESOCENTRE_TEST_DRIVER_BLOCK"  # seconds the blocking driver sleeps inside apply
STEPS_LEASE_ENV = "MESOCENTRE_TEST_STEPS_LEASE_SECONDS"  # the stepping driver's lease (2 s by default)
GATE_ENV = "MESOCENTRE_TEST_DRIVER_GATE"  # a file the stepping driver waits for after the step the target names


def record(operation, event: str) -> None:
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    line = f"{operation.pk} {event} {operation.claimed_by} {operation.attempts}\n".encode()
    # O_APPEND makes each short write atomic, even from several processes.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_log(path) -> list[tuple[int, str, str]]:
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [(int(pk), event, worker) for pk, event, worker, _ in (line.split() for line in handle)]


class _NoReadBack(Driver):
    def read_actual(self, resource_type: str, key: str) -> dict | None:
        return None

    def reconcile(self) -> list[DriftItem]:
        return []


@register
class RecordingDriver(_NoReadBack):
    name = "test-recording"

    def apply(self, operation) -> dict:
        time.sleep(float(operation.target.get("sleep", 0)))  # widens the window in which two workers could race
        record(operation, "applied")
        return {"applied": operation.target}


@register
class BlockingDriver(_NoReadBack):
    """Sleeps inside apply for $MESOCENTRE_TEST_DRIVER_BLOCK seconds: a worker to kill or to stop mid-operation."""

    name = "test-blocking"
    lease_seconds = 2

    def apply(self, operation) -> dict:
        record(operation, "started")
        time.sleep(float(os.environ.get(BLOCK_ENV, "0")))
        record(operation, "applied")
        return {"applied": operation.target}


@register
class SteppingDriver(_NoReadBack):
    """A backend change in ``target["steps"]`` calls, ``target["sleep"]`` seconds each, a ``checkpoint()`` before
    each (as the Slurm driver does before each sacctmgr call); every call is logged as ``step<i>``.

    With ``target["gate_after"] = i`` it waits after step i until the file ``$MESOCENTRE_TEST_DRIVER_GATE`` exists
    (a test does something to the queue meanwhile, then opens the gate)."""

    name = "test-steps"

    @property
    def lease_seconds(self) -> int:  # type: ignore[override]
        return int(os.environ.get(STEPS_LEASE_ENV) or 2)

    def apply(self, operation) -> dict:
        for step in range(int(operation.target.get("steps", 1))):
            checkpoint()
            record(operation, f"step{step}")
            time.sleep(float(operation.target.get("sleep", 0)))
            if step == operation.target.get("gate_after"):
                gate = os.environ[GATE_ENV]
                deadline = time.monotonic() + 60
                while not os.path.exists(gate) and time.monotonic() < deadline:
                    time.sleep(0.02)
        return {"applied": operation.target}


@register
class FlakyDriver(_NoReadBack):
    """Fails with the target's error text while ``broken`` (the tests repair the backend by clearing it)."""

    name = "test-flaky"
    broken = True

    def apply(self, operation) -> dict:
        if operation.target.get("permanent"):
            raise PermanentError(operation.target["error"])
        if FlakyDriver.broken:
            raise DriverError(operation.target.get("error", "backend unavailable"))
        record(operation, "applied")
        return {"applied": operation.target}


# ------------------------------------------------------------------------------------------- the outcome hook
OUTCOME_BACKEND = "test-outcome"
FOLLOW_UP_TYPE = "outcome-of"  # the row the handler writes: an operation queued by the end of another


@register
class OutcomeDriver(_NoReadBack):
    """A backend that says what it made (``backend_id``, ``address``, ``host``) for resources of type ``vm``; with
    ``target["fail"]`` = "permanent" or "retry" it fails instead."""

    name = OUTCOME_BACKEND
    lease_seconds = 2
    handles = {"vm": "apply_vm"}

    def apply_vm(self, operation) -> dict:
        record(operation, "applied")
        fail = operation.target.get("fail")
        if fail == "permanent":
            raise PermanentError("no such flavour")
        if fail == "retry":
            raise DriverError("hypervisor unreachable")
        return {"backend_id": f"vm-{operation.resource_key}", "address": "10.0.0.7", "host": "node-3"}


def record_outcome(operation, outcome) -> None:
    """The handler a higher app would register: writes a row in the end's transaction (a follow-up operation naming
    the outcome), logs the call, then raises or waits as the target asks (``outcome_raises``; ``outcome_blocks``:
    sleeps $MESOCENTRE_TEST_DRIVER_BLOCK seconds, a worker to kill between the backend's work and the commit;
    ``outcome_refuses``: a ValidationError on ``backend_id``)."""
    from django.db import transaction

    from mesocentre.provisioning.models import Operation

    assert transaction.get_connection().in_atomic_block, "outcome handlers run inside the end's transaction"
    Operation.objects.create(
        backend="test-recording",
        resource_type=FOLLOW_UP_TYPE,
        resource_key=f"{operation.pk}:{outcome.state}",
        target={"state": outcome.state, "result": outcome.result, "error": outcome.error},
        state=Operation.State.CANCELLED,  # a row to count, not work for the worker
    )
    record(operation, f"outcome-{outcome.state}")
    if operation.target.get("outcome_refuses"):  # a refusal naming the field, as a higher app's clean() would
        from django.core.exceptions import ValidationError

        raise ValidationError({"backend_id": operation.target["outcome_refuses"]})
    if operation.target.get("outcome_raises"):
        raise RuntimeError(operation.target["outcome_raises"])
    if operation.target.get("outcome_blocks"):
        time.sleep(float(os.environ.get(BLOCK_ENV, "0")))


def _register_outcome_handler() -> None:
    from mesocentre.provisioning.outcomes import register_outcome

    # The manual backend's is registered by the tests that want it (the ``manual_outcomes`` fixture), so that the
    # rest of the suite completes manual tasks without a handler.
    register_outcome(OUTCOME_BACKEND, None, record_outcome)


_register_outcome_handler()
