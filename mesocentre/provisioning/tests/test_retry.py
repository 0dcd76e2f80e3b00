"""Failures back off exponentially, end failed after max_attempts, and an operator's retry puts them back."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mesocentre.provisioning import services
from mesocentre.provisioning.models import Operation

State = Operation.State


def test_backoff_doubles_and_is_capped():
    assert services.backoff_delay(1) == datetime.timedelta(seconds=30)
    assert services.backoff_delay(2) == datetime.timedelta(seconds=60)
    assert services.backoff_delay(4) == datetime.timedelta(minutes=4)
    assert services.backoff_delay(30) == datetime.timedelta(hours=1)


def make_due(operation):
    Operation.objects.filter(pk=operation.pk).update(next_attempt_at=timezone.now())


def test_failures_back_off_then_fail_and_an_operator_retry_puts_it_back(db, flaky, driver_log, operator, researcher):
    with transaction.atomic():
        operation = services.enqueue(
            "test-flaky", "thing", "k", {"error": "sbatch: error: QOS invalid"}, max_attempts=3
        )

    for attempt, delay in [(1, 30), (2, 60)]:
        before = timezone.now()
        outcome = services.run_operation(services.claim_next("w"), "w")
        assert outcome.state == State.PENDING and outcome.attempts == attempt
        assert outcome.last_error == "sbatch: error: QOS invalid"
        expected = before + datetime.timedelta(seconds=delay)
        assert expected <= outcome.next_attempt_at <= expected + datetime.timedelta(seconds=5)
        assert services.claim_next("w") is None  # not due before its backoff
        make_due(operation)

    outcome = services.run_operation(services.claim_next("w"), "w")
    assert outcome.state == State.FAILED and outcome.attempts == 3 and outcome.finished_at
    make_due(operation)
    assert services.claim_next("w") is None  # failed is never picked up again by itself

    with pytest.raises(PermissionDenied):
        services.retry(outcome, researcher)
    flaky.broken = False  # the operator fixed the backend
    retried = services.retry(outcome, operator)
    assert retried.state == State.PENDING and retried.attempts == 0 and retried.retried_by == operator
    done = services.run_operation(services.claim_next("w"), "w")
    assert done.state == State.DONE and done.last_error == "" and done.attempts == 1
    with pytest.raises(ValidationError):
        services.retry(done, operator)


def test_permanent_error_fails_at_once(db):
    with transaction.atomic():
        services.enqueue("test-flaky", "thing", "k", {"permanent": True, "error": "invalid partition 'gpu2'"})
    outcome = services.run_operation(services.claim_next("w"), "w")
    assert outcome.state == State.FAILED and outcome.attempts == 1 and outcome.last_error == "invalid partition 'gpu2'"


def test_failure_with_a_newer_target_is_superseded_and_cannot_be_retried(db, flaky, operator):
    with transaction.atomic():
        first = services.enqueue("test-flaky", "thing", "k", {"v": 1}, max_attempts=1)
    claimed = services.claim_next("w")
    with transaction.atomic():
        second = services.enqueue("test-flaky", "thing", "k", {"v": 2})
    outcome = services.run_operation(claimed, "w")
    assert outcome.state == State.CANCELLED and outcome.superseded_by == second
    # A failed op whose resource got a newer target since must not be replayed over it.
    Operation.objects.filter(pk=first.pk).update(state=State.FAILED, superseded_by=None)
    with pytest.raises(ValidationError, match=f"#{second.pk}"):
        services.retry(first, operator)
