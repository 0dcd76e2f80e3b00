"""Enqueue with the change or not at all; the newest target wins; one resource at a time; leases."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from mesocentre.provisioning import services
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.tests.drivers import read_log
from mesocentre.tenancy.models import Establishment

State = Operation.State


def enqueue(key="r1", target=None, backend="test-recording"):
    with transaction.atomic():
        return services.enqueue(backend, "thing", key, target or {"size": 1})


@pytest.mark.django_db(transaction=True)
def test_operation_is_written_with_its_change_or_not_at_all():
    with pytest.raises(RuntimeError), transaction.atomic():
        establishment = Establishment.objects.create(code="lab-x", name="Lab X", kind="university")
        services.enqueue("manual", "rack", establishment.code, {"units": 2})
        raise RuntimeError("the change fails after the enqueue")
    assert not Establishment.objects.filter(code="lab-x").exists()
    assert not Operation.objects.exists()

    with transaction.atomic():
        establishment = Establishment.objects.create(code="lab-y", name="Lab Y", kind="university")
        services.enqueue("manual", "rack", establishment.code, {"units": 2})
    assert Operation.objects.get().resource_key == "lab-y"
    assert Establishment.objects.filter(code="lab-y").exists()


@pytest.mark.django_db(transaction=True)
def test_enqueue_refuses_to_run_outside_a_transaction():
    with pytest.raises(TransactionManagementError):
        services.enqueue("manual", "rack", "x", {"units": 1})
    assert not Operation.objects.exists()


def test_enqueue_refuses_an_unknown_backend_and_a_non_object_target(db):
    with pytest.raises(ValidationError, match="No provisioning driver"), transaction.atomic():
        services.enqueue("no-such-backend", "thing", "k", {})
    with pytest.raises(ValidationError), transaction.atomic():
        services.enqueue("test-recording", "thing", "k", [1, 2])


def test_newer_target_supersedes_older_pending_and_failed(db):
    first = enqueue(target={"size": 1})
    second = enqueue(target={"size": 2})
    other = enqueue(key="r2")
    first.refresh_from_db()
    assert first.state == State.CANCELLED and first.superseded_by == second
    assert second.state == State.PENDING and other.state == State.PENDING
    Operation.objects.filter(pk=second.pk).update(state=State.FAILED, last_error="boom")
    third = enqueue(target={"size": 3})
    second.refresh_from_db()
    assert second.state == State.CANCELLED and second.superseded_by == third
    claimed = {services.claim_next("w").pk, services.claim_next("w").pk}
    assert claimed == {third.pk, other.pk}
    assert services.claim_next("w") is None


def test_a_resource_waits_while_its_older_operation_runs(db, driver_log):
    first = enqueue(target={"size": 1})
    assert services.claim_next("w1").pk == first.pk
    second = enqueue(target={"size": 2})  # the running one cannot be cancelled: it may be half applied
    first.refresh_from_db()
    assert first.state == State.RUNNING and second.state == State.PENDING
    assert services.claim_next("w2") is None  # never two operations of one resource at once
    services.run_operation(first, "w1")
    assert services.claim_next("w2").pk == second.pk


def test_database_allows_only_one_pending_operation_per_resource(db):
    enqueue()
    duplicate = Operation(backend="test-recording", resource_type="thing", resource_key="r1", target={})
    with pytest.raises(ValidationError):
        duplicate.save()


def test_claim_marks_running_with_a_lease_and_skips_leased_operations(db):
    operation = enqueue()
    claimed = services.claim_next("w1")
    assert claimed.pk == operation.pk
    assert claimed.state == State.RUNNING and claimed.claimed_by == "w1" and claimed.attempts == 1
    assert claimed.lease_expires_at > timezone.now()
    assert services.claim_next("w2") is None
    assert services.queue_depth() == 1


def test_expired_lease_is_taken_over_and_a_late_worker_changes_nothing(db, driver_log):
    operation = enqueue()
    stale = services.claim_next("w1")
    Operation.objects.filter(pk=operation.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    taken = services.claim_next("w2")
    assert taken.claimed_by == "w2" and taken.attempts == 2 and "w1" in taken.last_error
    late = services.run_operation(stale, "w1")  # the first worker wakes up: it must neither apply nor record
    assert read_log(driver_log) == []  # the driver was never called for the lost attempt
    assert late.lease_lost
    taken.refresh_from_db()
    assert taken.state == State.RUNNING and taken.claimed_by == "w2" and taken.attempts == 2
    assert services.run_operation(taken, "w2").state == State.DONE
    assert read_log(driver_log) == [(operation.pk, "applied", "w2")]


def test_expired_lease_on_the_last_attempt_fails_instead_of_looping(db):
    with transaction.atomic():
        operation = services.enqueue("test-recording", "thing", "k", {}, max_attempts=1)
    services.claim_next("w1")
    Operation.objects.filter(pk=operation.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.claim_next("w2") is None
    operation.refresh_from_db()
    assert operation.state == State.FAILED and "lease expired" in operation.last_error
