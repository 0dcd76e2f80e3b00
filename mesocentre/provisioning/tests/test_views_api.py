"""Operators see and act on the queue in the portal and the API; nobody else does."""

import pytest
from django.db import transaction
from django.urls import reverse

from mesocentre.provisioning import services
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.provisioning.worker import Worker

State = Operation.State


@pytest.fixture
def failed(db, flaky):
    with transaction.atomic():
        services.enqueue(
            "test-flaky",
            "slurm-account",
            "lab-x",
            {"error": "sacctmgr: error: Problem talking to the database"},
            max_attempts=1,
        )
    return services.run_operation(services.claim_next("w"), "w")


@pytest.fixture
def task(db):
    with transaction.atomic():
        services.enqueue("manual", "firewall", "lab-x/ssh", {"port": 22})
    Worker("w", once=True).run()
    return ManualTask.objects.get()


def page_urls(failed, task):
    return [
        reverse("provisioning:operation_list"),
        reverse("provisioning:operation_detail", args=[failed.pk]),
        reverse("provisioning:task_list"),
        reverse("provisioning:task_detail", args=[task.pk]),
    ]


def test_pages_are_for_operators_only(client, failed, task, researcher):
    client.force_login(researcher)
    for url in page_urls(failed, task):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("provisioning:operation_retry", args=[failed.pk])).status_code == 403
    assert client.post(reverse("provisioning:task_detail", args=[task.pk]), {"outcome": "done"}).status_code == 403
    client.logout()
    assert client.get(reverse("provisioning:operation_list")).status_code == 302  # to the login page
    failed.refresh_from_db()
    task.refresh_from_db()
    assert failed.state == State.FAILED and task.is_open


def test_operator_sees_errors_filters_and_retries(client, failed, task, operator):
    client.force_login(operator)
    page = client.get(reverse("provisioning:operation_list"), {"state": "failed"}).content.decode()
    assert "Problem talking to the database" in page and "lab-x/ssh" not in page
    assert "lab-x/ssh" in client.get(reverse("provisioning:operation_list"), {"state": "waiting"}).content.decode()
    detail = client.get(reverse("provisioning:operation_detail", args=[failed.pk])).content.decode()
    assert 'action="{}"'.format(reverse("provisioning:operation_retry", args=[failed.pk])) in detail
    response = client.post(reverse("provisioning:operation_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == State.PENDING and failed.retried_by == operator


def test_operator_completes_a_task_in_the_portal(client, task, operator):
    client.force_login(operator)
    url = reverse("provisioning:task_detail", args=[task.pk])
    assert "lab-x/ssh" in client.get(reverse("provisioning:task_list")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()
    refused = client.post(url, {"outcome": "failed", "comment": ""})
    assert refused.status_code == 400 and "Say why the task failed." in refused.content.decode()
    client.post(url, {"outcome": "failed", "comment": "Port 22 is closed to the outside by policy."})
    task.refresh_from_db()
    assert task.status == ManualTask.Status.FAILED
    assert task.operation.state == State.FAILED
    assert task.operation.last_error == "Port 22 is closed to the outside by policy."


def test_api_is_for_operators_only(api, failed, task, researcher):
    api.force_authenticate(researcher)
    assert api.get("/api/provisioning/operations/").status_code == 403
    assert api.get(f"/api/provisioning/operations/{failed.pk}/").status_code == 403
    assert api.post(f"/api/provisioning/operations/{failed.pk}/retry/").status_code == 403
    assert api.post(f"/api/provisioning/manual-tasks/{task.pk}/complete/", {"done": True}).status_code == 403
    api.force_authenticate(None)
    assert api.get("/api/provisioning/operations/").status_code in (401, 403)
    failed.refresh_from_db()
    assert failed.state == State.FAILED


def test_api_lists_filters_retries_and_completes(api, failed, task, operator):
    api.force_authenticate(operator)
    listed = api.get("/api/provisioning/operations/", {"state": "failed"}).json()
    assert [op["id"] for op in listed["results"]] == [failed.pk]
    assert listed["results"][0]["last_error"] == "sacctmgr: error: Problem talking to the database"
    assert api.post(f"/api/provisioning/operations/{task.operation_id}/retry/").status_code == 400  # not failed
    retried = api.post(f"/api/provisioning/operations/{failed.pk}/retry/")
    assert retried.status_code == 200 and retried.json()["state"] == "pending"

    url = f"/api/provisioning/manual-tasks/{task.pk}/complete/"
    assert api.post(url, {"done": False, "comment": ""}, format="json").status_code == 400
    completed = api.post(
        url, {"done": True, "backend_id": "fw-1:rule-42", "comment": "Rule added on fw-1 and fw-2."}, format="json"
    )
    assert completed.status_code == 200 and completed.json()["status"] == "done"
    assert completed.json()["backend_id"] == "fw-1:rule-42"
    assert api.get(f"/api/provisioning/operations/{task.operation_id}/").json()["state"] == "done"
    again = api.post(url, {"done": True, "backend_id": "fw-1:rule-43"}, format="json")
    assert again.status_code == 400 and "status" in again.json()  # already closed


def test_the_queue_in_the_admin_is_the_operators_and_read_only(client, user_factory):
    staff = user_factory("staff-only", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/provisioning/operation/").status_code == 403, "staff is not enough"
    client.force_login(user_factory("ops", is_operator=True))
    assert client.get("/admin/provisioning/operation/").status_code == 200
    assert client.get("/admin/provisioning/operation/add/").status_code == 403, "the queue changes through services"
    assert client.get("/admin/provisioning/slurmcluster/add/").status_code == 200, "operators declare clusters"
