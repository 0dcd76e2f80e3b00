"""Every list costs a constant number of queries: the same with 2 rows as with 20.

Every API list (the routers' ``*-list`` names under ``/api/``, found by walking the URL resolver as the scoping test
does; by an operator, and by an establishment manager), every list page of the portal, the pages listing an
object's parts (a call's rounds, a round's requests, an establishment's members), the home page's dashboards and the
project page are read by their usual reader in the world of the scoping test (two of nearly everything), then again
once 18 more rows of what they list have been added: the number of queries must not change, and the rows must show
(an API list's count, a page's length), or the count proves nothing. A row is built with what its page or serializer shows of it (a laboratory's
establishments, an allocation's change requests, a plan's components…), so that a relation read per row shows up.

An endpoint whose listed model has no builder here fails ``test_every_api_list_has_a_builder``.
"""

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from query_count_builders import (
    build_allocation,
    build_assignment,
    build_audit_entry,
    build_budget,
    build_call,
    build_change_request,
    build_establishment,
    build_establishment_invitation,
    build_manual_task,
    build_membership,
    build_offering,
    build_operation,
    build_project,
    build_project_invitation,
    build_project_membership,
    build_request,
    build_round,
    builders,
)
from scoping_world import seed
from test_scoping import ENDPOINTS

from mesocentre.core.testing import WORLD_NOW

EXTRA_ROWS = 18  # the world holds about 2 of each: 2 rows, then 20

# API lists deliberately left out, with the reason (none so far).
NOT_COUNTED: dict[str, str] = {}


# ---------------------------------------------------------------------------------------------- the world
@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The scoping test's world, seeded once for the module in a transaction never committed (each test runs in a
    savepoint inside it); mid-June 2026, whatever today is."""
    with time_machine.travel(WORLD_NOW, tick=True), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(seeded, db):
    with time_machine.travel(WORLD_NOW, tick=True):
        yield seeded


def client_of(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def read(client: Client, path: str):
    """(queries, their SQL, how many rows the reader got: an API list's count, else the page's length)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, (path, response.status_code)
    shown = response.json()["count"] if path.startswith("/api/") else len(response.content)
    return len(captured), [q["sql"] for q in captured.captured_queries], shown


def assert_constant(client: Client, path: str, add_row) -> None:
    """The same number of queries before and after EXTRA_ROWS more rows (the first read warms the caches), and
    the rows were really added where the reader sees them (else the count would prove nothing)."""
    client.get(path)
    before, _, shown_before = read(client, path)
    for _ in range(EXTRA_ROWS):
        add_row()
    after, sql, shown_after = read(client, path)
    grew = shown_after >= shown_before + EXTRA_ROWS if path.startswith("/api/") else shown_after > shown_before
    assert grew, f"{path}: the rows added are not shown ({shown_before} → {shown_after})"
    assert after == before, f"{path}: {before} queries with the world's rows, {after} with {EXTRA_ROWS} more:\n" + (
        "\n".join(q if len(q) < 400 else f"{q[:200]} … {q[-200:]}" for q in sql)
    )


# ---------------------------------------------------------------------------------------------- the API lists
API_LISTS = sorted({e.name for e in ENDPOINTS if e.route.startswith("api/") and (e.name or "").endswith("-list")})


def listed_model(name: str):
    return resolve(reverse(name)).func.cls.queryset.model


def test_the_walk_finds_the_api_lists():
    assert {"tenancy-api:user-list", "hpc-api:allocation-list", "audit-api:auditentry-list"} <= set(API_LISTS)


def test_every_api_list_has_a_builder(db):
    known = builders()
    missing = [name for name in API_LISTS if name not in NOT_COUNTED and listed_model(name) not in known]
    assert not missing, f"No row builder for the models of: {missing}: add one (or say in NOT_COUNTED why not)"


@pytest.mark.parametrize("name", [name for name in API_LISTS if name not in NOT_COUNTED])
def test_api_list_queries_do_not_grow_with_rows(world, name):
    build = builders()[listed_model(name)]
    assert_constant(client_of(world.operator), reverse(name) + "?limit=1000", lambda: build(world))


# The same lists read by A's establishment manager (visible_to filters, distinct, the serializers' non-operator
# branches), but those whose added rows this reader does not see, with the reason.
NOT_SEEN_BY_A_MANAGER = {
    "audit-api:auditentry-list": "operators only (403)",
    "capacity-api:host-list": "operators only (403)",
    "capacity-api:pod-list": "operators only (403)",
    "capacity-api:rack-list": "operators only (403)",
    "tenancy-api:team-list": "operators only (403)",
    "capacity-api:site-list": "operators only (403)",
    "provisioning-api:manualtask-list": "operators only (403)",
    "provisioning-api:operation-list": "operators only (403)",
    "tenancy-api:establishment-list": "the rows added are establishments the manager does not belong to",
    "projects-api:projectinvitation-list": "a project's invitations are its PI's and managers', not the payer's",
    "hpc-api:review-list": "reviews of undecided requests are the committee's",
    "projects-api-legacy:review-list": "reviews of undecided requests are the committee's",
}


@pytest.mark.parametrize("name", [name for name in API_LISTS if name not in {**NOT_COUNTED, **NOT_SEEN_BY_A_MANAGER}])
def test_api_list_queries_do_not_grow_with_rows_for_a_manager(world, name):
    build = builders()[listed_model(name)]
    assert_constant(client_of(world.A.manager), reverse(name) + "?limit=1000", lambda: build(world))


# ---------------------------------------------------------------------------------------------- the portal
def _reader(w, who: str):
    return getattr(w, who)


PORTAL_LISTS = [
    # (URL name, who reads it, what adds a row to it[, query string])
    ("projects:project_list", "operator", build_project),
    ("hpc:allocation_list", "operator", build_allocation),
    ("tenancy:establishment_list", "operator", build_establishment),
    ("provisioning:operation_list", "operator", build_operation),
    ("provisioning:task_list", "operator", build_manual_task),
    # Filtered to one type: the page resolves references once per type of object shown, so a page of 50 entries
    # of many types costs more queries than one of few (bounded by the number of models, not of rows).
    ("audit:entry_list", "operator", build_audit_entry, "?object_type=tenancy.establishment"),
    ("tenancy:invitation_list", "outsider", lambda w: (build_establishment_invitation(w), build_project_invitation(w))),
    ("hpc:change_request_list", "operator", build_change_request),
    ("hpc:request_list", "operator", lambda w: build_request(w, project=build_project(w))),
    ("projects:member_list", "operator", build_project_membership),
    ("hpc:call_list", "operator", build_call),
    ("catalogue:offering_list", "operator", build_offering),
    ("hpc:assignment_list", "reviewer", lambda w: build_assignment(w, reviewer=w.reviewer)),
    ("billing:budget_list", "operator", build_budget),
]


@pytest.mark.parametrize("page", PORTAL_LISTS, ids=[page[0] for page in PORTAL_LISTS])
def test_portal_list_queries_do_not_grow_with_rows(world, page):
    name, who, build, *query = page
    path = reverse(name) + "".join(query)
    assert_constant(client_of(_reader(world, who)), path, lambda: build(world))


# Pages of one object that list its parts: (name, who reads it, its URL's kwargs, what adds a part).
PORTAL_PAGES = [
    ("hpc:call_detail", "operator", lambda w: {"code": w.call.code}, build_round),
    ("hpc:round_detail", "operator", lambda w: {"pk": w.A.round.pk}, build_request),
    ("tenancy:establishment_detail", "operator", lambda w: {"code": w.A.establishment.code}, build_membership),
]

# The dashboards of the home page, each with what grows in it.
DASHBOARDS = {
    "operator-changes": ("operator", build_change_request),
    "operator-operations": ("operator", build_operation),
    "pi-allocations": ("member", lambda w: build_allocation(w, project=w.A.project)),
    "pi-requests": ("member", lambda w: build_request(w, project=w.A.project)),
    "pi-invitations": ("outsider", lambda w: (build_establishment_invitation(w), build_project_invitation(w))),
    "manager-projects": ("manager", build_project),
    "reviewer-assignments": ("reviewer", lambda w: build_assignment(w, reviewer=w.reviewer)),
}


@pytest.mark.parametrize("case", sorted(DASHBOARDS))
def test_dashboard_queries_do_not_grow_with_rows(world, case):
    who, build = DASHBOARDS[case]
    reader = getattr(world.A, who) if who in ("member", "manager") else getattr(world, who)
    assert_constant(client_of(reader), reverse("portal:home"), lambda: build(world))


@pytest.mark.parametrize("page", PORTAL_PAGES, ids=[page[0] for page in PORTAL_PAGES])
def test_portal_page_queries_do_not_grow_with_its_parts(world, page):
    name, who, kwargs, build = page
    path = reverse(name, kwargs=kwargs(world))
    assert_constant(client_of(_reader(world, who)), path, lambda: build(world))


PROJECT_PAGE_ROWS = {
    "members": lambda w: build_project_membership(w, project=w.A.project),
    "allocations": lambda w: build_allocation(w, project=w.A.project),
    "requests": lambda w: build_request(w, project=w.A.project),
}


@pytest.mark.parametrize("who", ["operator", "member"])
@pytest.mark.parametrize("rows", sorted(PROJECT_PAGE_ROWS))
def test_project_page_queries_do_not_grow_with_rows(world, rows, who):
    reader = world.operator if who == "operator" else world.A.member  # the PI: the page with its forms
    path = reverse("projects:project_detail", kwargs={"code": world.A.project.code})
    assert_constant(client_of(reader), path, lambda: PROJECT_PAGE_ROWS[rows](world))


# Lists added since, with what adds a row to each (appended here rather than to PORTAL_LISTS above).
MORE_PORTAL_LISTS = [
    ("tenancy:person_list", "operator", "build_user"),  # a person and their establishment (prefetched)
    ("tenancy:team_list", "operator", "build_team"),  # a team and its members (prefetched)
    ("capacity:pod_list", "operator", "build_pod"),  # a POD, its totals (annotated) and its racks (prefetched)
    ("billing:invoice_list", "operator", "build_invoice"),  # an invoice, its establishment and what it corrects
]


@pytest.mark.parametrize("page", MORE_PORTAL_LISTS, ids=[page[0] for page in MORE_PORTAL_LISTS])
def test_more_portal_list_queries_do_not_grow_with_rows(world, page):
    import query_count_builders

    name, who, build = page
    assert_constant(client_of(_reader(world, who)), reverse(name), lambda: getattr(query_count_builders, build)(world))


def test_the_invoice_list_read_by_a_manager_does_not_grow_with_rows(world):
    """A's manager reads A's invoices (``visible_to`` and the establishments' filter scoped to theirs)."""
    from query_count_builders import build_invoice

    assert_constant(client_of(world.A.manager), reverse("billing:invoice_list"), lambda: build_invoice(world))
