"""A manual task says what to do, and completing it (page, API) ends its operation through the outcome hook.

Refusals are 400s naming the field, with nothing written: no task closed, no operation ended, nobody told.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from mesocentre.provisioning import services
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.provisioning.tests.test_outcomes import told
from mesocentre.provisioning.worker import Worker

State = Operation.State
ORDER = {
    "offering": "Rack hosting",
    "plan": "2U",
    "quantities": {"units": 2, "power_kw": "1.5"},
    "order": 17,
    "contact": "ops@lab-x.example",
}


def open_task(target=None, resource_type="rack", key="lab-x/R12") -> ManualTask:
    with transaction.atomic():
        services.enqueue("manual", resource_type, key, ORDER if target is None else target)
    Worker("w", once=True).run()
    return ManualTask.objects.get(operation__resource_key=key, status=ManualTask.Status.OPEN)


@pytest.fixture
def task(db, manual_outcomes):
    return open_task()


def untouched(task: ManualTask) -> bool:
    task.refresh_from_db()
    task.operation.refresh_from_db()
    return task.is_open and task.operation.state == State.WAITING and told(task.operation) == []


def test_the_task_says_what_to_do(db):
    instructions = open_task().instructions
    assert instructions.summary == (
        "Set up rack hosting “lab-x/R12”. offering: Rack hosting; plan: 2U; quantities: power_kw: 1.5, units: 2."
    )
    assert instructions.fields == [
        ("contact", "ops@lab-x.example"),
        ("offering", "Rack hosting"),
        ("order", "17"),
        ("plan", "2U"),
        ("quantities", "power_kw: 1.5, units: 2"),
    ]
    given = open_task({"summary": "Open port 443 of db-7 to the lab's network.", "port": 443}, "firewall", "fw-1")
    assert given.instructions.summary == "Open port 443 of db-7 to the lab's network."
    assert given.instructions.fields == [("port", "443")]  # the summary is not repeated as a field


def test_the_page_shows_the_instructions(client, task, operator):
    client.force_login(operator)
    page = client.get(reverse("provisioning:task_detail", args=[task.pk])).content.decode()
    assert "Set up rack hosting “lab-x/R12”." in page
    assert "<code>contact</code></th><td>ops@lab-x.example</td>" in page
    assert 'name="backend_id"' in page and 'maxlength="200"' in page


def test_done_on_the_page_ends_the_operation_and_tells_the_handler(client, task, operator):
    client.force_login(operator)
    url = reverse("provisioning:task_detail", args=[task.pk])
    response = client.post(url, {"outcome": "done", "backend_id": "R12-U20", "comment": "Racked, 2 PSUs."})
    assert response.status_code == 302
    task.refresh_from_db()
    operation = task.operation
    operation.refresh_from_db()
    assert (task.status, task.backend_id, operation.state) == (ManualTask.Status.DONE, "R12-U20", State.DONE)
    result = {"manual_task": task.pk, "backend_id": "R12-U20", "notes": "Racked, 2 PSUs.", "completed_by": "olga"}
    assert operation.result == result
    assert told(operation) == [{"state": "done", "result": result, "error": ""}]

    again = client.post(url, {"outcome": "done", "backend_id": "R12-U22"})
    assert again.status_code == 400 and "This task is already closed (done)." in again.content.decode()
    task.refresh_from_db()
    assert task.backend_id == "R12-U20" and len(told(operation)) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "done", "backend_id": "  "}, "backend_id", "Give the resource&#x27;s identifier in the backend."),
        ({"outcome": "done", "backend_id": "x" * 201}, "backend_id", "at most 200 characters"),
        ({"outcome": "failed", "comment": ""}, "comment", "Say why the task failed."),
    ],
)
def test_the_page_refuses_bad_input_naming_the_field(client, task, operator, data, field, message):
    client.force_login(operator)
    response = client.post(reverse("provisioning:task_detail", args=[task.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert f'id="id_{field}" ' in page and f'id_{field}_error" aria-invalid="true"' in page
    assert untouched(task)


def test_failed_on_the_page_fails_the_operation_and_tells_the_handler(client, task, operator):
    client.force_login(operator)
    url = reverse("provisioning:task_detail", args=[task.pk])
    client.post(url, {"outcome": "failed", "backend_id": "ignored", "comment": "No 1.5 kW rack left."})
    task.refresh_from_db()
    task.operation.refresh_from_db()
    assert (task.status, task.backend_id) == (ManualTask.Status.FAILED, "")
    assert (task.operation.state, task.operation.last_error) == (State.FAILED, "No 1.5 kW rack left.")
    assert told(task.operation) == [
        {"state": "failed", "result": {"manual_task": task.pk}, "error": "No 1.5 kW rack left."}
    ]


def complete_url(task: ManualTask) -> str:
    return f"/api/provisioning/manual-tasks/{task.pk}/complete/"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"done": True}, "backend_id"),
        ({"done": True, "backend_id": " "}, "backend_id"),
        ({"done": True, "backend_id": "x" * 201}, "backend_id"),
        ({"done": False, "comment": " "}, "comment"),
        ({"backend_id": "R1"}, "done"),
    ],
)
def test_the_api_refuses_bad_input_naming_the_field(api, task, operator, data, field):
    api.force_authenticate(operator)
    response = api.post(complete_url(task), data, format="json")
    assert response.status_code == 400 and list(response.json()) == [field]
    assert untouched(task)


def test_the_api_completes_once(api, task, operator):
    api.force_authenticate(operator)
    done = api.post(complete_url(task), {"done": True, "backend_id": "R12-U20", "comment": "ok"}, format="json")
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["backend_id"], body["comment"]) == ("done", "R12-U20", "ok")
    assert body["instructions"]["summary"].startswith("Set up rack hosting")
    assert {"name": "plan", "value": "2U"} in body["instructions"]["fields"]
    again = api.post(complete_url(task), {"done": False, "comment": "oops"}, format="json")
    assert again.status_code == 400 and again.json() == {"status": ["This task is already closed (done)."]}
    task.operation.refresh_from_db()
    assert task.operation.state == State.DONE and len(told(task.operation)) == 1


def test_a_cancelled_task_cannot_be_completed(api, task, operator):
    with transaction.atomic():
        services.enqueue("manual", "rack", "lab-x/R12", {"units": 4})  # a newer target cancels the task
    api.force_authenticate(operator)
    response = api.post(complete_url(task), {"done": True, "backend_id": "R12-U20"}, format="json")
    assert response.status_code == 400 and response.json() == {"status": ["This task is already closed (cancelled)."]}
    task.refresh_from_db()
    assert task.status == ManualTask.Status.CANCELLED and task.backend_id == "" and told(task.operation) == []


def test_a_handlers_refusal_names_its_field_and_leaves_the_task_open(api, db, manual_outcomes, operator):
    task = open_task({"outcome_refuses": "R12-U20 is another order's."})
    api.force_authenticate(operator)
    response = api.post(complete_url(task), {"done": True, "backend_id": "R12-U20"}, format="json")
    assert response.status_code == 400 and response.json() == {"backend_id": ["R12-U20 is another order's."]}
    assert untouched(task) and task.backend_id == ""


def test_a_handlers_bug_leaves_the_task_open(client, db, manual_outcomes, operator):
    task = open_task({"outcome_raises": "orders are down"})
    client.force_login(operator)
    url = reverse("provisioning:task_detail", args=[task.pk])
    response = client.post(url, {"outcome": "done", "backend_id": "R12-U20"})
    assert response.status_code == 400
    assert "The task stays open: its outcome could not be recorded (orders are down)." in response.content.decode()
    assert untouched(task) and task.backend_id == ""


def test_only_those_who_may_handle_the_task_complete_it(api, task, researcher, monkeypatch, operator):
    monkeypatch.setattr(services, "may_handle", lambda user, task: False)  # the one rule to narrow later
    api.force_authenticate(operator)
    assert api.post(complete_url(task), {"done": True, "backend_id": "R1"}, format="json").status_code == 403
    assert untouched(task)


def test_the_command_line_lists_and_completes_tasks(task, operator, researcher, capsys):
    from django.core.management import CommandError, call_command

    call_command("tasks", "list")
    assert f"#{task.pk}  rack lab-x/R12\n    Set up rack hosting “lab-x/R12”." in capsys.readouterr().out
    with pytest.raises(CommandError, match="backend_id: Give the resource's identifier"):
        call_command("tasks", "done", str(task.pk), "--by", "olga", "--backend-id", " ")
    with pytest.raises(CommandError, match="Only the members of the offering.s team complete its manual tasks."):
        call_command("tasks", "done", str(task.pk), "--by", "rachid", "--backend-id", "R12-U20")
    assert untouched(task)
    call_command("tasks", "done", str(task.pk), "--by", "olga", "--backend-id", "R12-U20", "--notes", "2 PSUs")
    task.refresh_from_db()
    assert (task.status, task.backend_id, task.comment, task.completed_by) == ("done", "R12-U20", "2 PSUs", operator)
    assert [row["result"]["backend_id"] for row in told(task.operation)] == ["R12-U20"]
    with pytest.raises(CommandError, match=r"status: This task is already closed \(done\)."):
        call_command("tasks", "failed", str(task.pk), "--by", "olga", "--reason", "late")
