"""A new version of the usage charter removes whoever has not accepted it from what Slurm is told, until they do."""

import pytest
from django.urls import reverse

from mesocentre.hpc import services
from mesocentre.projects.models import Project
from mesocentre.provisioning.models import Operation
from mesocentre.tenancy import charter
from mesocentre.tenancy.models import CharterVersion, User


def last_target():
    return Operation.objects.filter(backend="slurm", resource_key="mesocentre:jets").order_by("pk").last().target


@pytest.fixture
def v1(w, decided):
    version = CharterVersion.objects.create(number=1, text="Be fair.", in_force_from=w.round.opens_at)
    charter.accept(w.pi, version)
    return version


def test_a_new_version_leaves_the_pi_out_of_slurm_until_they_accept_it(w, v1):
    assert services.slurm_target(w.project)["users"] == ["pi"]
    queued = Operation.objects.count()
    v2 = charter.publish(w.operator, text="Be fairer.")
    assert Operation.objects.count() == queued + 1, "the listener queued the account without them"
    assert last_target()["users"] == []
    pi = User.objects.get(pk=w.pi.pk)
    assert "version 2 of the usage charter" in services.slurm_exclusion_reason(pi)
    assert services.slurm_target(Project.objects.get(pk=w.project.pk))["users"] == []
    charter.accept(pi, v2)
    assert last_target()["users"] == ["pi"]
    assert services.slurm_exclusion_reason(User.objects.get(pk=w.pi.pk)) is None


def test_the_project_page_names_the_version_and_links_the_charter_for_the_user_themself(w, v1, client):
    services.add_member(w.pi, w.project, w.student)
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert "student has not accepted version 1 of the usage charter" in page
    assert 'id="member-charter-link"' not in page, "the PI has accepted: no link for them"
    client.force_login(w.student)
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert f"{reverse('tenancy:charter')}?next=/projects/jets/" in page
