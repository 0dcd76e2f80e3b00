"""The manual backend end to end: enqueue → worker → task for operators → done or failed with a comment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from mesocentre.audit.models import AuditEntry
from mesocentre.provisioning import services
from mesocentre.provisioning.drivers import Deferred, get_driver
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.provisioning.worker import Worker

State = Operation.State


def enqueue_rack(target=None):
    with transaction.atomic():
        return services.enqueue("manual", "rack", "lab-x/R12", target or {"units": 2, "power_kw": 1.5})


def test_manual_operation_done_by_an_operator(db, operator):
    operation = enqueue_rack()
    assert Worker("w", once=True).run() == 1
    operation.refresh_from_db()
    task = ManualTask.objects.get(operation=operation)
    assert operation.state == State.WAITING and operation.lease_expires_at is None
    assert task.is_open and task.title == "rack lab-x/R12" and operation.result == {"manual_task": task.pk}
    assert services.queue_depth() == 0  # waiting for a person is not worker backlog
    assert Worker("w", once=True).run() == 0  # nothing for a worker to do until the operator acts

    services.complete_manual_task(task, operator, True, "Racked in R12 U20-21.", backend_id=" R12-U20 ")
    operation.refresh_from_db()
    task.refresh_from_db()
    assert task.status == ManualTask.Status.DONE and task.completed_by == operator and task.backend_id == "R12-U20"
    assert operation.state == State.DONE
    assert operation.result == {
        "manual_task": task.pk,
        "backend_id": "R12-U20",
        "notes": "Racked in R12 U20-21.",
        "completed_by": "olga",
    }
    assert get_driver("manual").read_actual("rack", "lab-x/R12") == {"units": 2, "power_kw": 1.5}
    assert AuditEntry.objects.filter(object_type="provisioning.manualtask", action="update").exists()
    with pytest.raises(ValidationError):
        services.complete_manual_task(task, operator, False, "twice")


def test_manual_operation_failed_by_an_operator_then_retried(db, operator, researcher):
    operation = enqueue_rack()
    Worker("w", once=True).run()
    task = ManualTask.objects.get(operation=operation)
    with pytest.raises(PermissionDenied):
        services.complete_manual_task(task, researcher, True, "", backend_id="R1")
    with pytest.raises(ValidationError):
        services.complete_manual_task(task, operator, False, "  ")  # a failure says why

    services.complete_manual_task(task, operator, False, "No free rack with 1.5 kW left in room B.")
    operation.refresh_from_db()
    assert operation.state == State.FAILED and operation.last_error == "No free rack with 1.5 kW left in room B."

    services.retry(operation, operator)
    Worker("w", once=True).run()
    operation.refresh_from_db()
    assert operation.state == State.WAITING
    assert list(operation.manual_tasks.values_list("status", flat=True).order_by("pk")) == ["failed", "open"]


def test_applying_twice_finds_the_same_task(db):
    operation = enqueue_rack()
    claimed = services.claim_next("w")
    with pytest.raises(Deferred):
        get_driver("manual").apply(claimed)  # a first worker died right after creating the task
    services.run_operation(claimed, "w")
    assert ManualTask.objects.filter(operation=operation).count() == 1


def test_a_newer_target_cancels_the_open_task(db):
    first = enqueue_rack({"units": 2})
    Worker("w", once=True).run()
    second = enqueue_rack({"units": 4})
    first.refresh_from_db()
    assert first.state == State.CANCELLED and first.superseded_by == second
    assert first.manual_tasks.get().status == ManualTask.Status.CANCELLED
    Worker("w", once=True).run()
    assert second.manual_tasks.get().is_open
