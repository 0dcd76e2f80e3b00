"""The operators' lists of requests, change requests and project members: paginated, sorted, filtered and searched
by the FilterSets their API lists use."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from mesocentre.hpc import services
from mesocentre.hpc.models import ChangeRequest
from mesocentre.projects.models import Project, ProjectMembership

REQUESTS = reverse("hpc:request_list")
CHANGES = reverse("hpc:change_request_list")
MEMBERS = reverse("projects:member_list")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_of(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def project_codes(response) -> list[str]:
    return re.findall(r'<td><a href="/projects/([\w-]+)/">', response.content.decode())


def more_projects(w, n: int) -> list[Project]:
    made = []
    for i in range(n):
        project = services.create_project(
            w.operator,
            pi=w.pi,
            code=f"extra{i:02}",
            title=f"Extra {i}",
            laboratory=w.lab,
            paying_establishment=w.cnrs,
            theme=w.theme,
            starts_on=datetime.date(2026, 1, 1),
        )
        made.append(project)
    return made


def ask(w, projects, hours=1_000) -> None:
    for i, project in enumerate(projects):
        services.submit_request(w.pi, project, w.round, cpu_core_hours=hours + i, justification="Runs.")


# ---------------------------------------------------------------------------------------------- requests
def test_every_request_a_page_at_a_time_sorted_and_filtered_like_the_api(w):
    projects = more_projects(w, 27)
    ask(w, projects)
    operator = client_of(w.operator)
    first = operator.get(REQUESTS)
    assert first.status_code == 200 and len(project_codes(first)) == 25
    assert len(project_codes(operator.get(REQUESTS, {"page": 2}))) == 2
    by_hours = project_codes(operator.get(REQUESTS, {"sort": "-cpu_core_hours", "per_page": 3}))
    assert by_hours == ["extra26", "extra25", "extra24"]
    found = operator.get(REQUESTS, {"q": "extra1"})
    assert sorted(project_codes(found)) == [f"extra{i}" for i in range(10, 20)]
    api = api_of(w.operator).get("/api/hpc/requests/", {"q": "extra1", "limit": 100}).json()["results"]
    assert sorted(Project.objects.get(pk=r["project"]).code for r in api) == sorted(project_codes(found))


def test_a_bad_status_is_a_400_the_page_names_and_others_may_not_look(w):
    response = client_of(w.operator).get(REQUESTS, {"status": "granted"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client_of(w.pi).get(REQUESTS).status_code == 403


# ---------------------------------------------------------------------------------------------- change requests
def test_change_requests_pending_first_by_filter_and_decided_from_their_row(w, decided):
    for extra in (10, 20, 30):
        services.request_change(
            w.pi, decided, change_type="more_hours", extra_cpu_core_hours=extra, justification=f"More {extra}."
        )
    refused = ChangeRequest.objects.get(extra_cpu_core_hours=10)
    services.approve_change_request(w.operator, refused, approve=False)
    operator = client_of(w.operator)
    pending = operator.get(CHANGES, {"status": "pending"}).content.decode()
    assert "More 20." in pending and "More 30." in pending and "More 10." not in pending
    assert pending.count('name="approve" value="yes"') == 2, "each pending row is decided where it is"
    everything = operator.get(CHANGES, {"sort": "extra_cpu_core_hours"}).content.decode()
    assert everything.index("More 10.") < everything.index("More 20.") < everything.index("More 30.")
    api = api_of(w.operator).get("/api/hpc/change-requests/", {"status": "pending"}).json()["results"]
    assert sorted(r["extra_cpu_core_hours"] for r in api) == [20, 30]
    assert operator.get(CHANGES, {"change_type": "bigger"}).status_code == 400


# ---------------------------------------------------------------------------------------------- members
def test_the_members_of_every_project_searched_by_person_and_filtered_by_role(w):
    more_projects(w, 3)  # the PI leads each
    operator = client_of(w.operator)
    pis = operator.get(MEMBERS, {"role": "pi", "sort": "project"})
    assert project_codes(pis) == ["extra00", "extra01", "extra02", w.project.code]
    found = operator.get(MEMBERS, {"q": w.pi.username, "per_page": 2})
    assert len(project_codes(found)) == 2 and "Page 1 of 2" in found.content.decode()
    api = api_of(w.operator).get("/api/projects/memberships/", {"role": "pi", "limit": 100}).json()["results"]
    assert len(api) == ProjectMembership.objects.filter(role="pi").count() == 4
    assert operator.get(MEMBERS, {"role": "owner"}).status_code == 400


@pytest.mark.parametrize("path", [REQUESTS, CHANGES, MEMBERS])
def test_a_sort_on_no_column_keeps_the_default_order_and_per_page_is_bounded(w, decided, path):
    operator = client_of(w.operator)
    assert operator.get(path, {"sort": "password"}).status_code == 200
    assert operator.get(path, {"per_page": "100000"}).status_code == 200
