"""The project and allocation lists: paginated, sorted, filtered and searched by the FilterSets the API uses."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mesocentre.hpc.models import Allocation
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name

PROJECTS = reverse("projects:project_list")
ALLOCATIONS = reverse("hpc:allocation_list")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_projects(w, n: int, prefix: str = "p", **fields) -> list[Project]:
    """``n`` projects of nobody (only operators see them), coded p000, p001… and titled "Project 0"…"""
    values = {
        "laboratory": w.lab,
        "paying_establishment": w.univ,
        "theme": w.theme,
        "starts_on": datetime.date(2026, 1, 1),
        **fields,
    }
    return Project.objects.bulk_create(
        [Project(code=f"{prefix}{i:03}", title=f"Project {i}", **values) for i in range(n)]
    )


def codes(response) -> list[str]:
    """The project codes of the table's rows, in order (the links to the projects' pages)."""
    return re.findall(r'<td><a href="/projects/([\w-]+)/">', response.content.decode())


# ---------------------------------------------------------------------------------------------- pagination
def test_25_rows_a_page_by_default_then_the_next_page(w):
    add_projects(w, 30)  # and "jets": 31 projects
    operator = client_of(w.operator)
    first = operator.get(PROJECTS)
    assert first.status_code == 200
    assert len(codes(first)) == 25
    second = operator.get(PROJECTS, {"page": 2})
    assert len(codes(second)) == 6
    assert "Page 2 of 2 (31 rows)" in second.content.decode()
    assert set(codes(first)).isdisjoint(codes(second))


@pytest.mark.parametrize(("asked", "shown"), [("10", 10), ("1000", 100), ("nonsense", 25), ("-3", 25)])
def test_per_page_is_bounded(w, asked, shown):
    add_projects(w, 120)
    assert len(codes(client_of(w.operator).get(PROJECTS, {"per_page": asked}))) == shown


def test_a_page_past_the_end_shows_the_last(w):
    add_projects(w, 30)
    assert len(codes(client_of(w.operator).get(PROJECTS, {"page": 99}))) == 6


def test_the_pages_links_keep_the_filters(w):
    add_projects(w, 30, status=Project.Status.CLOSED)
    body = client_of(w.operator).get(PROJECTS, {"status": "closed"}).content.decode()
    assert 'href="?status=closed&amp;page=2"' in body


# ---------------------------------------------------------------------------------------------- sorting
def test_sorted_by_code_by_default_and_by_a_column_both_ways(w):
    add_projects(w, 3)
    operator = client_of(w.operator)
    assert codes(operator.get(PROJECTS)) == ["jets", "p000", "p001", "p002"]
    by_title = operator.get(PROJECTS, {"sort": "title"})
    assert codes(by_title) == ["jets", "p000", "p001", "p002"]  # "Jets" < "Project 0"
    assert codes(operator.get(PROJECTS, {"sort": "-title"})) == ["p002", "p001", "p000", "jets"]


def test_the_sorted_header_says_so_to_screen_readers(w):
    body = client_of(w.operator).get(PROJECTS, {"sort": "-title"}).content.decode()
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a href="\?sort=title">', body)
    assert body.count("aria-sort") == 1


# ---------------------------------------------------------------------------------------------- filters, search
def test_filters_and_search(w):
    add_projects(w, 3)
    Project.objects.filter(code="p001").update(title="Turbulent jets", status=Project.Status.CLOSED)
    operator = client_of(w.operator)
    assert codes(operator.get(PROJECTS, {"q": "JETS"})) == ["jets", "p001"]  # code or title, any case
    assert codes(operator.get(PROJECTS, {"status": "closed"})) == ["p001"]
    assert codes(operator.get(PROJECTS, {"q": "jets", "status": "active"})) == ["jets"]
    assert codes(operator.get(PROJECTS, {"paying_establishment": w.cnrs.pk})) == ["jets"]


def test_a_bad_filter_is_a_400_naming_the_field(w):
    response = client_of(w.operator).get(PROJECTS, {"status": "nonsense"})
    assert response.status_code == 400
    form = response.context["filter"].form
    assert list(form.errors) == ["status"]
    assert "nonsense" in response.content.decode()  # "Select a valid choice. nonsense is not one of…"
    assert codes(response) == []


def test_the_api_and_the_page_give_the_same_projects(w):
    add_projects(w, 5)
    Project.objects.filter(code__in=["p001", "p003"]).update(status=Project.Status.CLOSED)
    operator = client_of(w.operator)
    query = {"status": "closed", "q": "p0"}
    api = operator.get(reverse("projects-api:project-list"), query, HTTP_ACCEPT="application/json").json()
    assert sorted(p["code"] for p in api["results"]) == codes(operator.get(PROJECTS, query)) == ["p001", "p003"]
    # What the API accepted before stays accepted: ``code`` (exact).
    assert [
        p["code"] for p in operator.get(reverse("projects-api:project-list"), {"code": "p002"}).json()["results"]
    ] == ["p002"]


# ---------------------------------------------------------------------------------------------- scoping
def test_a_pi_sees_only_their_projects(w):
    add_projects(w, 3)
    assert codes(client_of(w.pi).get(PROJECTS)) == ["jets"]
    assert codes(client_of(w.pi).get(PROJECTS, {"q": "p0"})) == []


def test_the_allocation_list_is_the_operators(w):
    assert client_of(w.pi).get(ALLOCATIONS).status_code == 403
    assert client_of(w.operator).get(ALLOCATIONS).status_code == 200


# ---------------------------------------------------------------------------------------------- allocations
def add_allocations(w, n: int, cluster: str = "main") -> list[Allocation]:
    projects = add_projects(w, n, prefix=f"{cluster}-")
    return Allocation.objects.bulk_create(
        [
            Allocation(
                project=p,
                cluster=cluster,
                cpu_core_hours=1000 + i,
                gpu_hours=i,
                starts_on=datetime.date(2026, 1, 1),
                ends_on=datetime.date(2026, 3, 1) + datetime.timedelta(days=i),
            )
            for i, p in enumerate(projects)
        ]
    )


def consume(project: Project, cluster: str, cpu_hours: int, gpu_hours: int = 0) -> None:
    UsageRecord.objects.create(
        source=f"slurm:{cluster}",
        external_id=f"{project.code}-{cluster}",
        account=account_name(project.code),
        ended_at=timezone.now(),
        cpu_seconds=cpu_hours * 3600,
        gpu_seconds=gpu_hours * 3600,
    )


def rows(response) -> list[list[str]]:
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_allocations_show_granted_and_consumed_hours(w):
    first, _ = add_allocations(w, 2)
    consume(first.project, "main", 1500, 3)
    consume(first.project, "other", 99)  # another cluster's: not this allocation's
    table = rows(client_of(w.operator).get(ALLOCATIONS, {"q": "main-000"}))
    assert len(table) == 1
    project, cluster, granted, consumed, granted_gpu, consumed_gpu, starts, ends, status = table[0]
    assert "main-000" in project and cluster == "main"
    assert (granted, consumed, granted_gpu, consumed_gpu) == ("1,000", "1,500", "0", "3")
    assert (starts, ends, status) == ("1 Jan 2026", "1 Mar 2026", "active")


def test_allocations_filtered_by_cluster_status_and_end_date(w):
    add_allocations(w, 3, cluster="main")
    add_allocations(w, 2, cluster="gpu")
    Allocation.objects.filter(project__code="main-002").update(status=Allocation.Status.SUSPENDED)
    operator = client_of(w.operator)
    assert len(rows(operator.get(ALLOCATIONS, {"cluster": "gpu"}))) == 2
    assert codes(operator.get(ALLOCATIONS, {"status": "suspended"})) == ["main-002"]
    assert codes(operator.get(ALLOCATIONS, {"cluster": "main", "ends_before": "2026-03-02"})) == [
        "main-000",
        "main-001",
    ]
    assert codes(operator.get(ALLOCATIONS, {"ends_after": "2026-03-02"})) == ["gpu-001", "main-001", "main-002"]
    bad = operator.get(ALLOCATIONS, {"ends_after": "yesterday"})
    assert bad.status_code == 400 and list(bad.context["filter"].form.errors) == ["ends_after"]


def test_the_api_and_the_page_give_the_same_allocations(w):
    add_allocations(w, 3, cluster="main")
    add_allocations(w, 2, cluster="gpu")
    operator = client_of(w.operator)
    query = {"cluster": "main", "ends_after": "2026-03-03"}
    api = operator.get(reverse("hpc-api:allocation-list"), query, HTTP_ACCEPT="application/json").json()
    page = codes(operator.get(ALLOCATIONS, query))
    assert page == ["main-002"]
    assert [Allocation.objects.get(pk=a["id"]).project.code for a in api["results"]] == page


def test_allocations_sorted_by_granted_hours_both_ways(w):
    add_allocations(w, 3)
    operator = client_of(w.operator)
    assert codes(operator.get(ALLOCATIONS, {"sort": "cpu_core_hours"})) == ["main-000", "main-001", "main-002"]
    assert codes(operator.get(ALLOCATIONS, {"sort": "-cpu_core_hours"})) == ["main-002", "main-001", "main-000"]


# ---------------------------------------------------------------------------------------------- query counts
@pytest.mark.parametrize("path", [PROJECTS, ALLOCATIONS])
def test_queries_do_not_grow_with_rows(w, path):
    operator = client_of(w.operator)

    def count() -> int:
        operator.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert operator.get(path).status_code == 200
        return len(captured)

    add_allocations(w, 2, cluster="few")
    few = count()
    for allocation in add_allocations(w, 28, cluster="many"):
        consume(allocation.project, "many", 10)
    assert len(codes(operator.get(path))) == 25
    assert count() == few


def test_an_unknown_project_id_is_a_400_the_page_names(w):
    # ``project`` is the API's filter, hidden on the page: its error still says which filter is wrong.
    response = client_of(w.operator).get(ALLOCATIONS, {"project": 999999})
    assert response.status_code == 400
    assert list(response.context["filter"].form.errors) == ["project"]
    assert '<div class="errors">Project:' in response.content.decode()


def test_a_pi_is_not_offered_a_project_filter_beyond_their_own(w):
    # The filters on related rows are scoped like the rows: another's project id is refused, as the API refuses it.
    other = add_projects(w, 1)[0]
    response = client_of(w.pi).get(reverse("hpc-api:allocation-list"), {"project": other.pk})
    assert response.status_code == 400 and "project" in response.json()


@pytest.mark.parametrize("sort", ["laboratory__establishments__name", "nonsense", "-"])
def test_a_sort_on_no_column_keeps_the_default_order(w, sort):
    # Only the table's columns sort: not an arbitrary lookup a visitor could use to probe related rows.
    add_projects(w, 2)
    response = client_of(w.operator).get(PROJECTS, {"sort": sort})
    assert response.status_code == 200 and codes(response) == ["jets", "p000", "p001"]
