"""A PI creates a project: who may, in which laboratory, and the page that does it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mesocentre.audit.models import AuditEntry
from mesocentre.hpc import services
from mesocentre.projects import naming, urls
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.tenancy.models import Membership

START = datetime.date(2026, 7, 1)


def fields(w, **over):
    return {"code": "waves", "title": "Waves", "laboratory": w.lab, "paying_establishment": w.univ,
            "theme": w.theme, "starts_on": START, **over}  # fmt: skip


def test_a_member_of_a_laboratory_creates_a_project_there_and_becomes_its_pi(w):
    project = services.create_project(w.pi, **fields(w))
    assert ProjectMembership.objects.get(project=project).user == w.pi
    assert project.memberships.get().role == "pi"
    assert AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk), action="create")
    assert AuditEntry.objects.filter(object_type="projects.projectmembership", action="create", after__role="pi")


def test_nobody_but_operators_creates_a_project_outside_their_laboratories(w, user_factory):
    with pytest.raises(PermissionDenied):
        services.create_project(w.pi, **fields(w, laboratory=w.other_lab))
    with pytest.raises(PermissionDenied):  # a manager whose membership names no laboratory
        services.create_project(w.manager, **fields(w, paying_establishment=w.cnrs))
    stranger = user_factory("stranger")
    assert not services.may_create_projects(stranger), "no establishment counts them as a member"
    with pytest.raises(PermissionDenied):
        services.create_project(stranger, **fields(w))
    w.pi.is_active = False
    w.pi.save()
    assert not services.may_create_projects(w.pi)
    with pytest.raises(PermissionDenied):
        services.create_project(w.pi, **fields(w))
    assert not Project.objects.filter(code="waves").exists()
    made = services.create_project(w.operator, pi=w.student, **fields(w, laboratory=w.other_lab))
    assert made.memberships.get().user == w.student


def test_the_model_still_checks_the_paying_establishment_and_the_code(w):
    with pytest.raises(ValidationError) as refused:
        services.create_project(w.pi, **fields(w, paying_establishment=w.company))
    assert "paying_establishment" in refused.value.message_dict
    for word in ("new", "calls", "assignments"):
        with pytest.raises(ValidationError) as refused:
            services.create_project(w.pi, **fields(w, code=word))
        assert "names one of the portal's pages" in refused.value.message_dict["code"][0]
    assert not Project.objects.filter(code__in=["waves", "new"]).exists()
    assert not ProjectMembership.objects.exclude(project=w.project).exists(), "nothing half-written"


def test_no_project_code_can_hide_a_page_of_the_portal():
    """Every page of /projects/<word>/ is a word no project may take: else its project would be unreachable."""
    words = {str(p.pattern).split("/")[0] for p in urls.urlpatterns}
    single = {word for word in words if word and "<" not in word}
    assert single <= naming.PAGE_WORDS, single - naming.PAGE_WORDS


def test_the_page_offers_the_creators_laboratories_and_creates_the_project(w, client):
    client.force_login(w.pi)
    listing = client.get(reverse("projects:project_list")).content.decode()
    path = reverse("projects:project_create")
    assert path == "/projects/new/" and f'href="{path}"' in listing
    response = client.get(path)
    page = response.content.decode()
    assert page.count("<h1>") == 1 and 'for="id_laboratory"' in page
    assert list(response.context["form"].fields["laboratory"].queryset) == [w.lab]
    assert w.lab.name in page and w.other_lab.name not in page
    data = {"code": "waves", "title": "Waves", "laboratory": w.lab.pk, "paying_establishment": w.univ.pk,
            "theme": w.theme.pk, "starts_on": "2026-07-01", "ends_on": "2027-06-30",
            "data_management_plan_url": "https://dmp.example.org/plans/1", "summary": "Waves."}  # fmt: skip
    created = client.post(path, data)
    assert created.status_code == 302 and created["Location"] == reverse("projects:project_detail", args=["waves"])
    project = Project.objects.get(code="waves")
    assert project.memberships.get().user == w.pi and project.data_management_plan_url.endswith("/plans/1")


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"paying_establishment": "company"}, "paying_establishment", "Select a valid choice"),
        ({"laboratory": "other_lab"}, "laboratory", "Select a valid choice"),
        ({"code": "new"}, "code", "names one of the portal's pages"),
        ({"code": "jets"}, "code", "already belongs to a project"),
        ({"ends_on": "2026-01-01"}, "ends_on", "cannot end before it starts"),
        ({"title": ""}, "title", "This field is required"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(w, client, change, field, message):
    client.force_login(w.pi)
    data = {"code": "waves", "title": "Waves", "laboratory": w.lab.pk, "paying_establishment": w.univ.pk,
            "theme": w.theme.pk, "starts_on": "2026-07-01"}  # fmt: skip
    for name, value in change.items():
        data[name] = getattr(w, value).pk if isinstance(value, str) and hasattr(w, value) else value
    before = (Project.objects.count(), ProjectMembership.objects.count())
    response = client.post(reverse("projects:project_create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field]), form.errors
    assert (Project.objects.count(), ProjectMembership.objects.count()) == before


def test_the_page_refuses_an_establishment_the_laboratory_does_not_belong_to(w, client):
    client.force_login(w.operator)
    data = {"code": "waves", "title": "Waves", "laboratory": w.other_lab.pk, "paying_establishment": w.cnrs.pk,
            "theme": w.theme.pk, "starts_on": "2026-07-01"}  # fmt: skip
    response = client.post(reverse("projects:project_create"), data)
    assert response.status_code == 400
    assert "laboratory's establishments" in response.context["form"].errors["paying_establishment"][0]
    assert not Project.objects.filter(code="waves").exists()


def test_someone_no_establishment_counts_cannot_open_the_page(w, client, user_factory):
    client.force_login(user_factory("stranger"))
    assert client.get(reverse("projects:project_create")).status_code == 403
    assert 'href="/projects/new/"' not in client.get(reverse("projects:project_list")).content.decode()
    client.force_login(w.manager)  # a member, but their membership names no laboratory: the page says so
    page = client.get(reverse("projects:project_create"))
    assert page.status_code == 200 and "name no laboratory" in page.content.decode()
    Membership.objects.filter(user=w.manager).update(laboratory=w.lab)
    assert 'name="laboratory"' in client.get(reverse("projects:project_create")).content.decode()


def test_a_pi_bills_only_an_establishment_they_belong_to_in_that_laboratory(w, client):
    """The laboratory is the university's and the CNRS's, the PI is the university's: the CNRS is not theirs to
    bill (an operator may); the page does not offer it either."""
    assert w.lab.establishments.filter(pk=w.cnrs.pk).exists()
    with pytest.raises(ValidationError) as refused:
        services.create_project(w.pi, **fields(w, paying_establishment=w.cnrs))
    assert "paying_establishment" in refused.value.message_dict
    assert not Project.objects.filter(code="waves").exists()
    assert services.create_project(w.operator, **fields(w, paying_establishment=w.cnrs)).paying_establishment == w.cnrs
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_create")).content.decode()
    assert f'<option value="{w.univ.pk}"' in page and f'<option value="{w.cnrs.pk}"' not in page
