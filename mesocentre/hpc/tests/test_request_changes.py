"""A request is edited or withdrawn by its PI until the committee reviews it; its decision, and the reason, reach
the PI on the project page; the reviewers' private comments never do."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mesocentre.audit.models import AuditEntry
from mesocentre.hpc import request_services, services
from mesocentre.hpc.models import AllocationRequest, ReviewAssignment, Round
from mesocentre.projects.models import Project

Status = AllocationRequest.Status


@pytest.fixture
def asked(w):
    return services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")


def fresh(request):
    return AllocationRequest.objects.get(pk=request.pk)


def test_the_pi_edits_a_submitted_request_and_the_audit_log_says_so(w, asked):
    request_services.edit_request(w.pi, asked, cpu_core_hours=800, gpu_hours=10, scratch_gb=5, justification="Less.")
    edited = fresh(asked)
    assert (edited.cpu_core_hours, edited.gpu_hours, edited.scratch_gb, edited.justification) == (800, 10, 5, "Less.")
    assert edited.status == Status.SUBMITTED
    assert AuditEntry.objects.filter(object_type="hpc.allocationrequest", action="update").exists()


def test_editing_is_refused_after_a_review_or_once_the_round_closed(w, asked, time_machine):
    assignment = services.assign_reviewer(w.operator, asked, w.outside)
    request_services.edit_request(w.pi, asked, cpu_core_hours=900, justification="Assigned, not reviewed yet.")
    services.submit_review(w.outside, assignment, score=4)
    with pytest.raises(ValidationError, match="reviewed"):
        request_services.edit_request(w.pi, asked, cpu_core_hours=1, justification="Too late.")
    assert fresh(asked).cpu_core_hours == 900
    other = services.submit_request(w.pi, w.project, Round.objects.create(
        call=w.call, name="Short", opens_at=w.round.opens_at, closes_at=w.round.opens_at + datetime.timedelta(days=2),
        cpu_budget=10_000), cpu_core_hours=100, justification="Runs.")  # fmt: skip
    time_machine.move_to(w.round.opens_at + datetime.timedelta(days=3), tick=False)
    with pytest.raises(ValidationError, match="closed"):
        request_services.edit_request(w.pi, other, cpu_core_hours=50, justification="Closed.")


def test_only_the_pi_or_managers_edit_or_withdraw(w, asked):
    for who in (w.student, w.manager, w.outside):
        with pytest.raises(PermissionDenied):
            request_services.edit_request(who, asked, cpu_core_hours=1, justification="Mine.")
        with pytest.raises(PermissionDenied):
            request_services.withdraw_request(who, asked)
    assert fresh(asked).status == Status.SUBMITTED and fresh(asked).cpu_core_hours == 1000


def test_withdrawing_takes_the_request_out_of_the_reviewers_work(w, asked, client):
    assignment = services.assign_reviewer(w.operator, asked, w.outside)
    assert fresh(asked).status == Status.UNDER_REVIEW
    request_services.withdraw_request(w.pi, asked)
    assert fresh(asked).status == Status.WITHDRAWN
    assert not ReviewAssignment.objects.filter(reviewer=w.outside).exists()
    client.force_login(w.outside)
    assert client.get(reverse("hpc:review_form", args=[assignment.pk])).status_code == 404
    page = client.get(reverse("hpc:round_detail", args=[w.round.pk])).content.decode()
    assert "jets" not in page.split('id="main"')[1]
    with pytest.raises(ValidationError):
        services.decide(w.operator, fresh(asked), cpu_core_hours=1000, starts_on=datetime.date(2026, 7, 1),
                        ends_on=datetime.date(2026, 12, 31))  # fmt: skip
    with pytest.raises(ValidationError):
        services.assign_reviewer(w.operator, fresh(asked), w.outside)


def test_a_withdrawn_request_is_submitted_again_by_editing_it_in_its_open_round(w, asked):
    request_services.withdraw_request(w.pi, asked)
    with pytest.raises(ValidationError, match="withdrawn"):
        request_services.withdraw_request(w.pi, asked)
    again = request_services.edit_request(w.pi, asked, cpu_core_hours=700, justification="Back.")
    assert again.status == Status.SUBMITTED and again.submitted_by == w.pi
    assert AllocationRequest.objects.filter(project=w.project, round=w.round).count() == 1, "the same slot"


def test_asking_again_in_the_round_also_submits_a_withdrawn_request_again(w, asked):
    request_services.withdraw_request(w.pi, asked)
    again = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=600, justification="Again.")
    assert again.pk == asked.pk and again.status == Status.SUBMITTED and again.cpu_core_hours == 600


def test_withdrawing_is_refused_after_a_review(w, asked):
    reviewed = fresh(asked)
    assignment = services.assign_reviewer(w.operator, reviewed, w.outside)
    services.submit_review(w.outside, assignment, score=3)
    with pytest.raises(ValidationError, match="reviewed"):
        request_services.withdraw_request(w.pi, reviewed)
    assert fresh(asked).status == Status.UNDER_REVIEW


def test_a_decided_request_is_neither_withdrawn_nor_edited(w, decided):
    request = AllocationRequest.objects.get(project=w.project, round=w.round)
    with pytest.raises(ValidationError, match="decided"):
        request_services.withdraw_request(w.pi, request)
    with pytest.raises(ValidationError, match="decided"):
        request_services.edit_request(w.pi, request, cpu_core_hours=1, justification="Late.")


def test_the_transitions_table_is_enforced_by_the_model(w, asked):
    decided_request = fresh(asked)
    decided_request.status = Status.DECIDED
    decided_request.save()
    decided_request = fresh(asked)
    decided_request.status = Status.WITHDRAWN
    with pytest.raises(ValidationError) as refused:
        decided_request.save()
    assert "status" in refused.value.message_dict
    assert fresh(asked).status == Status.DECIDED


# ------------------------------------------------------------------------------------------------ pages
def test_the_edit_page_and_the_withdraw_button(w, asked, client):
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert reverse("hpc:request_edit", args=[asked.pk]) in page
    assert f'action="{reverse("hpc:request_withdraw", args=[asked.pk])}"' in page
    assert 'class="danger"' in page and "data-confirm=" in page
    edit = reverse("hpc:request_edit", args=[asked.pk])
    assert client.get(edit).status_code == 200
    refused = client.post(edit, {"cpu_core_hours": "-5", "gpu_hours": "0", "scratch_gb": "0", "justification": "x"})
    assert refused.status_code == 400 and "cpu_core_hours" in refused.context["form"].errors
    assert fresh(asked).cpu_core_hours == 1000
    done = client.post(edit, {"cpu_core_hours": "500", "gpu_hours": "0", "scratch_gb": "0", "justification": "x"})
    assert done.status_code == 302 and fresh(asked).cpu_core_hours == 500
    assert client.post(reverse("hpc:request_withdraw", args=[asked.pk])).status_code == 302
    assert fresh(asked).status == Status.WITHDRAWN
    again = client.post(reverse("hpc:request_withdraw", args=[asked.pk]))
    assert again.status_code == 400 and b"withdrawn" in again.content


def test_the_student_neither_edits_nor_withdraws(w, asked, client):
    services.add_member(w.pi, w.project, w.student)
    client.force_login(w.student)
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert reverse("hpc:request_edit", args=[asked.pk]) not in page
    assert client.get(reverse("hpc:request_edit", args=[asked.pk])).status_code == 404
    assert client.post(reverse("hpc:request_withdraw", args=[asked.pk])).status_code == 404
    assert fresh(asked).status == Status.SUBMITTED


def test_the_pi_reads_the_decision_and_its_reason_but_not_the_private_comment(w, client):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=120_000, justification="Runs.")
    assignment = services.assign_reviewer(w.operator, request, w.outside)
    services.submit_review(w.outside, assignment, score=4, private_comment="Secret weighing.", public_comment="Sound.")
    services.decide(w.operator, fresh(request), cpu_core_hours=100_000, reason="The round's budget is tight.",
                    starts_on=datetime.date(2026, 7, 1), ends_on=datetime.date(2026, 12, 31))  # fmt: skip
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert "100,000 of 120,000 core-hours granted" in page
    assert "The round&#x27;s budget is tight." in page and "Sound." in page
    assert "Secret weighing." not in page
    assert reverse("hpc:request_edit", args=[request.pk]) not in page, "decided: no edit"


def test_the_requests_table_takes_as_many_queries_for_2_rows_as_for_20(w, client):
    def rows(n):
        project = Project.objects.get(pk=w.project.pk)
        for i in range(project.requests.count(), n):
            r = Round.objects.create(call=w.call, name=f"R{i}", opens_at=w.round.opens_at, closes_at=w.round.closes_at,
                                     cpu_budget=10_000)  # fmt: skip
            item = services.submit_request(w.pi, project, r, cpu_core_hours=100, justification="Runs.")
            if i % 2:
                services.decide(w.operator, item, cpu_core_hours=50, reason="Half.",
                                starts_on=datetime.date(2026, 7, 1), ends_on=datetime.date(2026, 12, 31))  # fmt: skip
        client.force_login(w.pi)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("projects:project_detail", args=["jets"])).status_code == 200
        return len(queries)

    assert rows(2) == rows(20)


def test_the_api_edits_and_withdraws(w, asked, api):
    api.force_authenticate(w.pi)
    edit = reverse("hpc-api:allocationrequest-edit", args=[asked.pk])
    refused = api.post(edit, {"cpu_core_hours": -1, "justification": "x"}, format="json")
    assert refused.status_code == 400 and "cpu_core_hours" in refused.json()
    assert fresh(asked).cpu_core_hours == 1000
    done = api.post(edit, {"cpu_core_hours": 640, "justification": "Less."}, format="json")
    assert done.status_code == 200 and done.json()["cpu_core_hours"] == 640
    withdrawn = api.post(reverse("hpc-api:allocationrequest-withdraw", args=[asked.pk]))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = api.post(reverse("hpc-api:allocationrequest-withdraw", args=[asked.pk]))
    assert again.status_code == 400 and fresh(asked).status == Status.WITHDRAWN


def test_a_withdrawn_request_no_longer_counts_in_the_rounds_totals(w, asked):
    def asked_cpu():
        return services.round_summary(w.round)["asked_cpu"]

    assert asked_cpu() == 1000
    request_services.withdraw_request(w.pi, asked)
    assert asked_cpu() == 0


def test_a_withdrawn_request_of_a_closed_project_is_not_submitted_again(w, asked):
    request_services.withdraw_request(w.pi, asked)
    Project.objects.filter(pk=w.project.pk).update(status=Project.Status.CLOSED)
    with pytest.raises(ValidationError, match="Only an active project asks for hours"):
        request_services.edit_request(w.pi, fresh(asked), cpu_core_hours=500, justification="Again.")
    assert fresh(asked).status == Status.WITHDRAWN


def test_deciding_reads_the_request_as_it_is_now_not_as_the_form_saw_it(w, asked):
    """The operator opened the decision form, then the PI withdrew: the decision is refused, nothing granted."""
    seen_by_the_form = fresh(asked)
    request_services.withdraw_request(w.pi, asked)
    with pytest.raises(ValidationError):
        services.decide(w.operator, seen_by_the_form, cpu_core_hours=1000, starts_on=datetime.date(2026, 7, 1),
                        ends_on=datetime.date(2027, 6, 30))  # fmt: skip
    assert fresh(asked).status == Status.WITHDRAWN and not w.project.allocations.exists()
