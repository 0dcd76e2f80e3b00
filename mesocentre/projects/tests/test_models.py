import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from mesocentre.audit.models import AuditEntry
from mesocentre.audit.registry import registered_models
from mesocentre.hpc import services
from mesocentre.hpc.models import AllocationRequest, Review, ReviewAssignment
from mesocentre.projects import models
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.projects.naming import account_name, is_valid


def test_paying_establishment_must_be_one_of_the_laboratorys(w):
    project = Project(
        code="x",
        title="X",
        laboratory=w.lab,
        paying_establishment=w.company,
        theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        project.save()
    assert "paying_establishment" in excinfo.value.message_dict
    assert "University" in excinfo.value.message_dict["paying_establishment"][0]


def test_a_project_keeps_at_least_one_pi(w):
    pi = ProjectMembership.objects.get(project=w.project, user=w.pi)
    pi.role = "member"
    with pytest.raises(ValidationError) as excinfo:
        pi.save()
    assert "principal investigator" in excinfo.value.message_dict["role"][0]
    with pytest.raises(ValidationError):
        services.remove_member(w.pi, pi)
    # With a second PI, the first may go; more than one manager is fine.
    with transaction.atomic():
        services.add_member(w.pi, w.project, w.student, "pi")
        services.add_member(w.pi, w.project, w.insider, "manager")
        services.add_member(w.pi, w.project, w.outside, "manager")
    services.remove_member(w.student, pi)
    assert list(w.project.memberships.values_list("role", flat=True)).count("manager") == 2


def test_a_request_goes_only_into_an_open_round(w):
    with pytest.raises(ValidationError) as excinfo:
        services.submit_request(w.pi, w.project, w.closed, cpu_core_hours=1000, justification="Late.")
    message = excinfo.value.message_dict["round"][0]
    assert message.startswith("This round is not open: it accepts requests from")
    assert not AllocationRequest.objects.exists()
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="On time.")
    assert request.status == "submitted" and request.submitted_by == w.pi
    with pytest.raises(ValidationError):
        services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Twice.")


def test_a_reviewer_never_reviews_a_project_of_their_own_laboratory(w):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    with pytest.raises(ValidationError) as excinfo:
        services.assign_reviewer(w.operator, request, w.insider)
    assert excinfo.value.message_dict["reviewer"] == ["insider cannot review jets: they belong to its laboratory, lab."]
    assert not ReviewAssignment.objects.exists()
    assert services.assign_reviewer(w.operator, request, w.outside).reviewer == w.outside
    request.refresh_from_db()
    assert request.status == "under_review"
    with pytest.raises(ValidationError):
        services.assign_reviewer(w.operator, request, w.student)  # not on the committee


def test_scores_run_from_one_to_five(w):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    assignment = services.assign_reviewer(w.operator, request, w.outside)
    with pytest.raises(ValidationError):
        services.submit_review(w.outside, assignment, score=6)
    review = services.submit_review(w.outside, assignment, score=5, private_comment="p", public_comment="q")
    assert str(review).endswith("5/5") and Review.objects.count() == 1


def test_less_than_asked_needs_a_reason(w):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    kwargs = {"starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 6, 30)}
    with pytest.raises(ValidationError) as excinfo, transaction.atomic():
        services.decide(w.operator, request, cpu_core_hours=500, **kwargs)
    assert "reason" in excinfo.value.message_dict
    with pytest.raises(ValidationError), transaction.atomic():
        services.decide(w.operator, request, cpu_core_hours=5000, **kwargs)


def test_every_model_is_audited(w):
    for name in models.__all__:
        if name == "SentNotification":  # a technical log of e-mails sent, not a change anybody makes
            continue
        assert getattr(models, name) in registered_models(), name
    assert AuditEntry.objects.filter(object_type="projects.project", object_id=str(w.project.pk)).exists()


@pytest.mark.parametrize("code", ["a; rm -rf /", "Élan-2026", "x" * 300, "1abc", "root", "a\nb", "'quoted'"])
def test_account_names_are_safe_and_stable(code):
    name = account_name(code)
    assert is_valid(name) and len(name) <= 32
    assert account_name(code) == name
    assert account_name("jets") == "jets"
    assert account_name("AB c") != account_name("ab-c")
