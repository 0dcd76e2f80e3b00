"""The clusters' identities belong to the platform: one namespace of account names, and every change of a name,
a login or a person's standing queues the accounts it touches, in the same transaction."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mesocentre.hpc import services
from mesocentre.projects.models import Project
from mesocentre.provisioning.models import Operation, SlurmCluster
from mesocentre.tenancy.models import Establishment, User


def latest(project) -> dict:
    """The newest target queued for the project's account on the default cluster."""
    return Operation.objects.filter(backend="slurm", resource_key=f"mesocentre:{project.code}").latest("pk").target


def new_project(w, code: str):
    return services.create_project(w.pi, code=code, title="T", laboratory=w.lab, paying_establishment=w.univ,
                                   theme=w.theme, starts_on=datetime.date(2026, 1, 1))  # fmt: skip


# ---------------------------------------------------------------------------------------------- account names
def test_a_project_cannot_take_an_establishments_account(w):
    with pytest.raises(ValidationError) as excinfo:
        new_project(w, "univ")
    assert "already belongs to an establishment" in excinfo.value.message_dict["code"][0]
    assert not Project.objects.filter(code="univ").exists()


def test_an_establishment_cannot_be_renamed_onto_a_projects_account(w, decided):
    w.univ.code = "jets"
    with pytest.raises(ValidationError) as excinfo:
        w.univ.save()
    assert "already belongs to a project" in excinfo.value.message_dict["code"][0]
    with pytest.raises(ValidationError):
        Establishment.objects.create(code="jets", name="Jets Inc.", kind="company")
    assert not Operation.objects.filter(target__parent="jets").exists()


@pytest.mark.parametrize("code", ["root", "Root", "all", "where", "slurm", "daemon", "legacy-root"])
def test_names_slurm_or_the_system_keep_are_refused_at_creation_and_at_rename(w, code):
    SlurmCluster.objects.create(name="legacy", slurm_conf="/etc/slurm/slurm.conf", root_account="legacy-root")
    with pytest.raises(ValidationError) as excinfo:
        new_project(w, code)
    assert "keeps for itself" in excinfo.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as excinfo:
        Establishment.objects.create(code=code, name="Reserved", kind="company")
    assert "code" in excinfo.value.message_dict
    w.univ.code = code
    with pytest.raises(ValidationError):
        w.univ.save()


def test_the_api_says_which_field_and_why(w, api):
    api.force_authenticate(w.pi)
    response = api.post("/api/projects/projects/", {"code": "cnrs", "title": "T", "laboratory": w.lab.pk,
                        "paying_establishment": w.univ.pk, "theme": w.theme.pk, "starts_on": "2026-01-01"})  # fmt: skip
    assert response.status_code == 400 and "establishment" in response.json()["code"][0]


# ---------------------------------------------------------------------------------------------- queued changes
def test_an_establishment_renamed_moves_its_projects_accounts(w, decided):
    w.cnrs.code = "cnrs-occitanie"
    w.cnrs.save()
    assert latest(w.project)["parent"] == "cnrs-occitanie"


def test_a_login_changed_replaces_it_in_every_account_of_the_user(w, decided):
    w.pi.unix_login = "pi2"
    w.pi.save()
    assert latest(w.project)["users"] == ["pi2"]


def test_a_deactivated_user_leaves_the_accounts_and_an_accepted_charter_joins_them(w, decided):
    services.add_member(w.pi, w.project, w.student)
    assert latest(w.project)["users"] == ["pi"], "no charter yet"
    w.student.charter_accepted_at = timezone.now()
    w.student.save()
    assert latest(w.project)["users"] == ["pi", "student"]
    w.student.is_active = False
    w.student.save()
    assert latest(w.project)["users"] == ["pi"]
    assert "deactivated" in services.slurm_exclusion_reason(w.student)


def test_a_deleted_pi_leaves_the_account_and_the_project_is_shown_to_operators(w, decided, client):
    w.pi.delete()
    assert latest(w.project)["users"] == []
    assert list(Project.objects.without_pi()) == [w.project]
    client.force_login(w.operator)
    page = client.get("/projects/").content.decode()
    assert '<a href="/projects/?leaderless=true">Projects without a principal investigator</a>' in page
    listed = client.get("/projects/", {"leaderless": "true"}).content.decode()
    assert "/projects/jets/" in listed and "name a new one" in listed
    assert "/projects/jets/" not in client.get("/projects/", {"leaderless": "false"}).content.decode()
    assert client.get("/projects/", {"leaderless": "maybe"}).status_code == 400


def test_a_change_rolled_back_queues_nothing(w, decided):
    before = Operation.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        w.pi.unix_login = "pi2"
        w.pi.save()
        raise RuntimeError("the request failed after the save")
    assert Operation.objects.count() == before
    assert User.objects.get(pk=w.pi.pk).unix_login == "pi"


def test_saving_what_slurm_does_not_depend_on_queues_nothing(w, decided):
    before = Operation.objects.count()
    w.pi.first_name = "Ada"
    w.pi.save()
    w.cnrs.name = "CNRS Occitanie"
    w.cnrs.save()
    assert Operation.objects.count() == before
