"""The outcome hook: what a backend did reaches the handlers once per end, in the end's transaction, or not at all.

The handler (``drivers.record_outcome``, registered for the test-outcome and manual backends) writes a row, a
follow-up operation, in the transaction it is called in: that row is what these tests count.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from mesocentre.provisioning import outcomes, services
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.tests.drivers import FOLLOW_UP_TYPE, OUTCOME_BACKEND
from mesocentre.provisioning.worker import Worker

State = Operation.State


def enqueue_vm(key="lab-x-1", **target) -> Operation:
    with transaction.atomic():
        return services.enqueue(OUTCOME_BACKEND, "vm", key, target, max_attempts=2)


def told(operation: Operation) -> list[dict]:
    """What the handler recorded for ``operation``, committed or in this test's transaction."""
    rows = Operation.objects.filter(resource_type=FOLLOW_UP_TYPE, resource_key__startswith=f"{operation.pk}:")
    return list(rows.order_by("pk").values_list("target", flat=True))


def run_once() -> None:
    Worker("w", once=True).run()


def test_the_outcome_is_told_once_with_what_the_backend_did(db):
    operation = enqueue_vm()
    run_once()
    operation.refresh_from_db()
    assert operation.state == State.DONE
    expected = {"backend_id": "vm-lab-x-1", "address": "10.0.0.7", "host": "node-3"}
    assert operation.result == expected
    assert told(operation) == [{"state": "done", "result": expected, "error": ""}]
    run_once()  # nothing more to do: not told again
    assert len(told(operation)) == 1


def test_the_outcome_object_reads_the_drivers_result():
    outcome = outcomes.Outcome(state="done", result={"backend_id": 42, "address": "10.0.0.7", "notes": None})
    assert (outcome.done, outcome.erred) == (True, False)
    assert (outcome.backend_id, outcome.address, outcome.host, outcome.notes) == ("42", "10.0.0.7", "", "")
    assert outcomes.Outcome(state="failed", error="no").erred


def test_handlers_are_chosen_by_backend_and_type_and_registered_once():
    calls = []

    def handler(operation, outcome):
        calls.append(operation)

    # The apps' own handlers of every backend and type (the orders' one) come first, whatever is asked.
    everywhere = outcomes.handlers_for("b", "rack")
    assert everywhere == outcomes.handlers_for("other", "anything")
    try:
        outcomes.register_outcome("b", "vm", handler)
        outcomes.register_outcome("b", "vm", handler)  # ready() twice: still once
        outcomes.register_outcome(None, "storage", handler)
        assert outcomes.handlers_for("b", "vm") == [*everywhere, handler]
        assert outcomes.handlers_for("other", "storage") == [*everywhere, handler]
        assert outcomes.handlers_for("b", "storage") == [*everywhere, handler]
        assert outcomes.handlers_for("b", "rack") == everywhere
    finally:
        outcomes.unregister_outcome("b", "vm", handler)
        outcomes.unregister_outcome(None, "storage", handler)
    assert outcomes.handlers_for("b", "vm") == everywhere


def test_a_retry_is_not_an_end_but_the_last_attempt_is(db):
    operation = enqueue_vm(fail="retry")
    run_once()
    operation.refresh_from_db()
    assert operation.state == State.PENDING and told(operation) == []  # will be retried: nobody told
    Operation.objects.filter(pk=operation.pk).update(next_attempt_at=timezone.now())
    run_once()
    operation.refresh_from_db()
    assert operation.state == State.FAILED and operation.attempts == 2
    assert told(operation) == [{"state": "failed", "result": {}, "error": "hypervisor unreachable"}]


def test_a_permanent_error_is_told_at_once(db):
    operation = enqueue_vm(fail="permanent")
    run_once()
    operation.refresh_from_db()
    assert (operation.state, operation.attempts) == (State.FAILED, 1)
    assert [row["error"] for row in told(operation)] == ["no such flavour"]


def test_a_dead_workers_last_attempt_is_told_as_failed_when_taken_over(db):
    operation = enqueue_vm()
    Operation.objects.filter(pk=operation.pk).update(
        state=State.RUNNING,
        attempts=2,
        claimed_by="dead",
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert services.claim_next("w") is None  # no attempt left: failed, not claimed
    operation.refresh_from_db()
    assert operation.state == State.FAILED
    assert [row["state"] for row in told(operation)] == ["failed"]
    assert "did not finish attempt 2" in told(operation)[0]["error"]


def test_a_superseded_operation_is_not_an_end(db):
    first = enqueue_vm(fail="retry")
    run_once()
    enqueue_vm(size=2)
    first.refresh_from_db()
    assert first.state == State.CANCELLED and told(first) == []


@pytest.mark.django_db(transaction=True)
def test_the_handlers_row_and_the_end_commit_together():
    operation = enqueue_vm()
    run_once()  # outside any test transaction: the end and the row are committed, or neither is
    operation.refresh_from_db()
    assert operation.state == State.DONE and len(told(operation)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_handler_that_raises_leaves_the_operation_not_done():
    operation = enqueue_vm(outcome_raises="the order is gone")
    run_once()
    operation.refresh_from_db()
    # Not done without its outcome: a failed apply, retried with backoff; the handler's row rolled back with it.
    assert operation.state == State.PENDING and operation.result is None and operation.finished_at is None
    assert "its outcome could not be recorded: the order is gone" in operation.last_error
    assert told(operation) == []


@pytest.mark.django_db(transaction=True)
def test_a_handler_that_raises_on_a_failure_keeps_the_operation_in_the_queue():
    operation = enqueue_vm(fail="permanent", outcome_raises="the order is gone")
    run_once()
    operation.refresh_from_db()
    # Not failed without its outcome either: pending again, its attempt given back, after the backoff.
    assert (operation.state, operation.attempts, operation.finished_at) == (State.PENDING, 0, None)
    assert operation.last_error.startswith("no such flavour\n") and "the order is gone" in operation.last_error
    assert operation.next_attempt_at > timezone.now() and told(operation) == []


def test_a_handlers_refusal_is_the_attempts_error_in_words(db):
    operation = enqueue_vm(outcome_refuses="vm-lab-x-1 belongs to another order.")
    run_once()
    operation.refresh_from_db()
    assert operation.state == State.PENDING and told(operation) == []
    assert operation.last_error == (
        "The backend did its work but its outcome could not be recorded: vm-lab-x-1 belongs to another order."
    )


def test_a_failure_with_a_newer_target_waiting_is_superseded_not_told(db):
    operation = enqueue_vm(fail="permanent", outcome_raises="the order is gone")
    claimed = services.claim_next("w")
    with transaction.atomic():
        newer = services.enqueue(OUTCOME_BACKEND, "vm", "lab-x-1", {"size": 2})  # while the worker applies
    services.run_operation(claimed, "w")
    operation.refresh_from_db()
    assert (operation.state, operation.superseded_by) == (State.CANCELLED, newer) and told(operation) == []
