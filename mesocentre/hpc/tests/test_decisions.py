"""Decisions: strict booleans, budgets, scheduled allocations, closed projects, and what the pages say."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mesocentre.hpc import services
from mesocentre.hpc.models import ChangeRequest
from mesocentre.provisioning.models import Operation


def _more_hours(w, allocation) -> ChangeRequest:
    return services.request_change(
        w.pi, allocation, change_type="more_hours", extra_cpu_core_hours=100, justification="More."
    )


@pytest.mark.parametrize(
    ("body", "as_form", "status"),
    [
        ({"approve": "no"}, False, "refused"),
        ({"approve": "False"}, False, "refused"),
        ({"approve": "off"}, False, "refused"),
        ({"approve": "False"}, True, "refused"),
        ({"approve": False}, False, "refused"),
        ({"approve": "yes"}, True, "approved"),
        ({"approve": True}, False, "approved"),
    ],
)
def test_approving_a_change_parses_the_boolean_strictly(w, decided, api, body, as_form, status):
    change = _more_hours(w, decided)
    api.force_authenticate(w.operator)
    response = api.post(
        f"/api/hpc/change-requests/{change.pk}/approve/", body, format="multipart" if as_form else "json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == status


@pytest.mark.parametrize("body", [{"approve": "perhaps"}, {"approve": "nein"}, {}, {"approve": ""}])
def test_an_unknown_or_missing_approve_is_a_400_and_decides_nothing(w, decided, api, body):
    change = _more_hours(w, decided)
    api.force_authenticate(w.operator)
    response = api.post(f"/api/hpc/change-requests/{change.pk}/approve/", body, format="json")
    assert response.status_code == 400 and "approve" in response.json()
    change.refresh_from_db()
    assert change.status == "pending"


def test_every_action_with_a_body_has_it_in_the_schema(db, api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    approve = schema["paths"]["/api/hpc/change-requests/{id}/approve/"]["post"]
    ref = approve["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "approve" in schema["components"]["schemas"][ref]["properties"]
    assert "approve" in schema["components"]["schemas"][ref]["required"]


def test_the_page_says_the_status_the_allocation_now_has(w, decided, client):
    client.force_login(w.operator)
    path = reverse("hpc:allocation_status", kwargs={"pk": decided.pk})
    page = client.post(path, {"status": "suspended"}, follow=True).content.decode()
    assert "The allocation is suspended" in page and "The allocation is active" not in page


def test_an_unknown_reviewer_is_refused_with_a_message(w, client):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    client.force_login(w.operator)
    response = client.post(reverse("hpc:round_detail", kwargs={"pk": w.round.pk}), {"request": request.pk})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(
        reverse("hpc:round_detail", kwargs={"pk": w.round.pk}), {"request": request.pk, "reviewer": "nobody"}
    )
    assert response.status_code == 400 and "No user has this username." in response.content.decode()
    assert not request.assignments.exists()


def test_notify_reports_the_e_mails_it_sent(w, user_factory, smtp_server, deliver_mail):
    for n in range(3):
        pi = user_factory(f"pi{n}", email=f"pi{n}@example.org")
        project = services.create_project(
            w.operator, pi=pi, code=f"p{n}", title="P", laboratory=w.lab, paying_establishment=w.univ, theme=w.theme,
            starts_on=datetime.date(2026, 1, 1),
        )  # fmt: skip
        assert project.memberships.get().user == pi
    w.pi.email = "pi@example.org"
    w.pi.save()
    out = StringIO()
    call_command("hpc", "notify", stdout=out)
    deliver_mail()
    assert len(smtp_server) == 4, "the round's opening, to each of the four PIs"
    assert out.getvalue().strip() == "4 e-mail(s) queued (the worker sends them)."


def test_resuming_an_allocation_whose_account_was_removed_is_refused(w, decided, api):
    services.expire_allocation(w.operator, decided)
    Operation.objects.create(
        backend="slurm", resource_type="account", resource_key="mesocentre:jets", target={"state": "absent"},
        state=Operation.State.DONE, finished_at=timezone.now(),
    )  # fmt: skip
    api.force_authenticate(w.operator)
    for status in ("active", "suspended"):
        response = api.post(f"/api/hpc/allocations/{decided.pk}/status/", {"status": status}, format="json")
        assert response.status_code == 400 and "removed after its grace period" in response.json()["status"][0]
    decided.refresh_from_db()
    assert decided.status == "expired"


def test_a_closed_project_takes_no_new_hours(w, decided, api):
    extension = services.request_change(
        w.pi, decided, change_type="extension", new_ends_on=datetime.date(2027, 6, 30), justification="Later."
    )
    services.close_project(w.pi, w.project, today=datetime.date(2026, 6, 15))
    api.force_authenticate(w.operator)
    response = api.post(f"/api/hpc/change-requests/{extension.pk}/approve/", {"approve": True}, format="json")
    assert response.status_code == 400 and "A closed project takes no new hours" in str(response.json())
    decided.refresh_from_db()
    assert decided.status == "expired" and services.removal_date(w.project, "mesocentre") is not None
    response = api.post(f"/api/hpc/allocations/{decided.pk}/status/", {"status": "active"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert api.post(f"/api/hpc/change-requests/{extension.pk}/approve/", {"approve": False}).status_code == 200
    api.force_authenticate(w.pi)
    asked = {"allocation": decided.pk, "change_type": "more_hours", "extra_cpu_core_hours": 5, "justification": "x"}
    assert api.post("/api/hpc/change-requests/", asked, format="json").status_code == 400


def test_a_request_asks_at_most_its_rounds_budget(w, api):
    api.force_authenticate(w.pi)
    asked = {"project": w.project.pk, "round": w.round.pk, "justification": "Runs."}
    response = api.post("/api/hpc/requests/", {**asked, "cpu_core_hours": 99_999_999_999_999}, format="json")
    assert response.status_code == 400 and "cpu_core_hours" in response.json()
    response = api.post("/api/hpc/requests/", {**asked, "cpu_core_hours": 10, "gpu_hours": 1_001}, format="json")
    assert response.status_code == 400 and "gpu_hours" in response.json()
    assert not w.project.requests.exists()


def _decide(api, request, **fields):
    body = {"starts_on": "2026-07-01", "ends_on": "2027-06-30", **fields}
    return api.post(f"/api/hpc/requests/{request.pk}/decide/", body, format="json")


def test_a_decision_beyond_the_remaining_budget_needs_an_override_with_a_reason(w, user_factory, api):
    first = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=700_000, justification="Runs.")
    other = services.create_project(
        w.operator, pi=w.pi, code="waves", title="Waves", laboratory=w.lab, paying_establishment=w.univ,
        theme=w.theme, starts_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    second = services.submit_request(w.pi, other, w.round, cpu_core_hours=600_000, justification="Runs.")
    api.force_authenticate(w.pi)
    assert _decide(api, first, cpu_core_hours=700_000).status_code == 403
    api.force_authenticate(w.operator)
    assert _decide(api, first, cpu_core_hours=700_000).status_code == 200
    refused = _decide(api, second, cpu_core_hours=600_000)
    assert refused.status_code == 400 and "300,000 core-hours" in refused.json()["override_budget"][0]
    unexplained = _decide(api, second, cpu_core_hours=600_000, override_budget=True)
    assert unexplained.status_code == 400 and "override_reason" in unexplained.json()
    second.refresh_from_db()
    assert second.status == "submitted" and not hasattr(second, "decision"), "nothing half-written"
    granted = _decide(api, second, cpu_core_hours=600_000, override_budget="yes", override_reason="Strategic.")
    assert granted.status_code == 200, granted.json()
    assert granted.json()["override_budget"] is True and granted.json()["override_reason"] == "Strategic."
    assert w.round.remaining() == (-300_000, 1_000)
    # Within what is left, no override: deciding the first again counts the others' grants only.
    assert _decide(api, first, cpu_core_hours=300_000, reason="Less.").status_code == 200


def test_the_portal_decide_form_offers_the_override(w, client):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1_000_000, justification="Runs.")
    w.round.cpu_budget = 1_000_000
    client.force_login(w.operator)
    path = reverse("hpc:decide", kwargs={"pk": request.pk})
    page = client.get(path).content.decode()
    assert 'name="override_budget"' in page and "Left in the round" in page


def test_no_figure_reaches_slurm_beyond_what_it_takes(w, decided):
    # Each change is within bounds; their sum with the grant is not: the approval is refused, nothing queued.
    change = services.request_change(
        w.pi, decided, change_type="more_hours", extra_cpu_core_hours=10**12, justification="More."
    )
    queued = Operation.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.approve_change_request(w.operator, change)
    assert "limits" in excinfo.value.message_dict
    change.refresh_from_db()
    assert change.status == "pending" and Operation.objects.count() == queued
    with pytest.raises(ValidationError) as excinfo:
        services.request_change(
            w.pi, decided, change_type="more_hours", extra_cpu_core_hours=10**12 + 1, justification="More."
        )
    assert "extra_cpu_core_hours" in excinfo.value.message_dict


def test_an_allocation_counts_from_its_start_date_and_the_daily_command_raises_the_limit_that_day(
    w, decided, time_machine
):
    """On 2026-06-15, a grant starting on 2027-02-01 is scheduled: not in the limit, nor in consumed / granted."""
    from mesocentre.hpc.models import Allocation

    later = Allocation.objects.create(
        project=w.project,
        cpu_core_hours=50_000,
        starts_on=datetime.date(2027, 2, 1),
        ends_on=datetime.date(2027, 12, 31),
    )
    services.add_member(w.pi, w.project, w.pi, role="pi")  # a push: the target as of today
    latest = Operation.objects.filter(resource_key="mesocentre:jets").latest("pk")
    assert latest.target["limits"]["cpu"] == 100_000 * 60, "the scheduled grant is not in the limit"
    assert [row["granted_cpu"] for row in services.consumption(w.project)] == [100_000]
    assert later.is_scheduled and not decided.is_scheduled
    # The daily command on the days before changes nothing; on the start day it queues the new limit, once.
    assert services.start_due(today=datetime.date(2027, 1, 31)) == []
    [queued] = services.start_due(today=datetime.date(2027, 2, 1))
    assert queued["limits"]["cpu"] == 150_000 * 60 and queued["state"] == "active"
    assert services.start_due(today=datetime.date(2027, 2, 1)) == [], "queued once"
    time_machine.move_to(datetime.datetime(2027, 2, 1, 2, 0, tzinfo=datetime.UTC), tick=False)
    out = StringIO()
    call_command("hpc", "expire", stdout=out)
    assert "0 Slurm account(s) queued for allocations that started." in out.getvalue()
    assert [row["granted_cpu"] for row in services.consumption(w.project)] == [150_000]
