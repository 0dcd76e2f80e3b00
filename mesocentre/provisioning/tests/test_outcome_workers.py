"""A real worker process killed between the backend's work and the commit of its end: nothing is told, nothing lost."""

import signal
import time

import pytest
from django.db import transaction
from django.utils import timezone

from mesocentre.provisioning import services
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.tests.conftest import start_worker, worker_env
from mesocentre.provisioning.tests.drivers import BLOCK_ENV, LOG_ENV, OUTCOME_BACKEND, read_log
from mesocentre.provisioning.tests.test_outcomes import told
from mesocentre.provisioning.tests.test_workers import finish, wait_for

State = Operation.State


@pytest.mark.django_db(transaction=True)
def test_an_outcome_is_written_back_when_a_worker_applies_the_operation(driver_log):
    with transaction.atomic():
        operation = services.enqueue(OUTCOME_BACKEND, "vm", "lab-x-2", {"cpus": 2})
    assert "1 operation(s) processed" in finish(
        start_worker("w", "--once", env=worker_env(**{LOG_ENV: str(driver_log)}))
    )
    operation.refresh_from_db()
    assert operation.state == State.DONE and operation.result["backend_id"] == "vm-lab-x-2"
    assert told(operation) == [{"state": "done", "result": operation.result, "error": ""}]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_between_the_backends_work_and_the_commit_tells_nothing(driver_log):
    with transaction.atomic():
        operation = services.enqueue(OUTCOME_BACKEND, "vm", "lab-x-3", {"outcome_blocks": True})
    env = worker_env(**{LOG_ENV: str(driver_log)})
    doomed = start_worker("doomed", "--once", env={**env, BLOCK_ENV: "3600"})
    # The backend did its work and the handler wrote its row; the end's transaction is not committed yet.
    wait_for(lambda: any(event == "outcome-done" for _, event, _ in read_log(driver_log)))
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    operation.refresh_from_db()
    assert operation.state == State.RUNNING and operation.claimed_by == "doomed" and operation.result is None
    assert told(operation) == []  # the handler's row died with the end it was written with

    time.sleep(max(0.0, (operation.lease_expires_at - timezone.now()).total_seconds()) + 0.2)
    finish(start_worker("rescuer", "--once", env={**env, BLOCK_ENV: "0"}))
    operation.refresh_from_db()
    assert (operation.state, operation.claimed_by, operation.attempts) == (State.DONE, "rescuer", 2)
    assert [row["state"] for row in told(operation)] == ["done"]  # told once, by the worker whose end committed
    assert [(event, worker) for _, event, worker in read_log(driver_log)] == [
        ("applied", "doomed"),
        ("outcome-done", "doomed"),
        ("applied", "rescuer"),
        ("outcome-done", "rescuer"),
    ]
