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

import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from scoping_world import seed
from test_scoping import ENDPOINTS

from mesocentre.core.testing import WORLD_NOW

EXTRA_ROWS = 18  # the world holds about 2 of each: 2 rows, then 20

# API lists deliberately left out, with the reason (none so far).
NOT_COUNTED: dict[str, str] = {}

_serial = itertools.count(1)


def make(model, **fields):
    """One row, without its save() (validation, audit, Slurm): what is counted is the reading, not the writing."""
    return model.objects.bulk_create([model(**fields)])[0]


def user(prefix: str, **flags):
    from mesocentre.tenancy.models import User

    n = next(_serial)
    return make(
        User, username=f"{prefix}-{n}", email=f"{prefix}-{n}@example.org", password="!", unix_login=f"q{n}", **flags
    )


# ---------------------------------------------------------------------------------------------- row builders
# Each takes the world and adds ONE row of its model (with what is shown of it).
def build_theme(w):
    from mesocentre.tenancy.models import ScientificTheme

    n = next(_serial)
    make(ScientificTheme, code=f"theme-q{n}", name=f"Theme {n}")


def build_establishment(w):
    from mesocentre.tenancy.models import Establishment, Membership

    n = next(_serial)
    est = make(Establishment, code=f"est-q{n}", name=f"Establishment {n}", kind="university")
    make(Membership, user=w.operator, establishment=est, role="manager")


def build_laboratory(w):
    from mesocentre.tenancy.models import Laboratory

    n = next(_serial)
    lab = make(Laboratory, code=f"lab-q{n}", name=f"Laboratory {n}", theme=w.theme)
    lab.establishments.set([w.A.establishment, w.B.establishment])


def build_membership(w):
    from mesocentre.tenancy.models import Membership

    make(Membership, user=user("member"), establishment=w.A.establishment, laboratory=w.A.laboratory, role="member")


def build_establishment_invitation(w):
    from mesocentre.core.tokens import token_digest
    from mesocentre.tenancy.invitation_models import EstablishmentInvitation

    n = next(_serial)
    make(
        EstablishmentInvitation,
        establishment=w.A.establishment,
        laboratory=w.A.laboratory,
        invited_by=w.A.manager,
        invitee=w.outsider,
        username="outsider",
        token_digest=token_digest(f"est-q{n}"),
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )


def build_charter_version(w):
    from mesocentre.tenancy.models import CharterVersion

    n = next(_serial)
    make(
        CharterVersion,
        number=100 + n,
        text=f"Version {n}.",
        in_force_from=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC) - datetime.timedelta(days=n),
        published_by=w.operator,
    )


def build_price_list(w):
    from mesocentre.catalogue.models import PriceList

    n = next(_serial)
    make(PriceList, code=f"list-q{n}", name=f"List {n}")


def build_offering(w):
    from mesocentre.catalogue.models import Offering

    n = next(_serial)
    make(Offering, code=f"offering-q{n}", name=f"Offering {n}", kind="storage")


def build_plan(w):
    from mesocentre.catalogue.models import Component, Plan

    n = next(_serial)
    plan = make(Plan, offering=w.A.offering, code=f"plan-q{n}", name=f"Plan {n}")
    make(Component, plan=plan, code="gb", name="GB", unit="GB", billing_type="usage")


def build_component(w):
    from mesocentre.catalogue.models import Component

    n = next(_serial)
    make(Component, plan=w.plan, code=f"component-q{n}", name=f"Component {n}", unit="GB", billing_type="usage")


def build_price(w):
    from mesocentre.catalogue.models import Price

    n = next(_serial)
    start = datetime.date(1900 + n, 1, 1)
    make(Price, component=w.A.component, amount=Decimal("1.5"), valid_from=start, valid_until=start.replace(month=12))


def build_site(w):
    from mesocentre.capacity.models import Site

    n = next(_serial)
    make(Site, code=f"site-q{n}", name=f"Site {n}")


def build_host(w):
    from mesocentre.capacity.models import Host

    make(Host, site=w.site, name=f"host-q{next(_serial)}", vcpu=64, ram_gb=256)


def _operation(w, state="failed"):
    from mesocentre.provisioning.models import Operation

    n = next(_serial)
    return make(
        Operation,
        backend="manual",
        resource_type="rack",
        resource_key=f"rack-q{n}",
        target={"racks": 1},
        state=state,
        attempts=1,
        requested_by=w.operator,
    )


def build_operation(w):
    _operation(w)


def build_manual_task(w):
    from mesocentre.provisioning.models import ManualTask

    make(ManualTask, operation=_operation(w, "waiting"), title=f"Rack {next(_serial)}")


def _project(w):
    from mesocentre.projects.models import Project

    n = next(_serial)
    tn = w.A
    return make(
        Project,
        code=f"q{n}-project",
        title=f"Project {n}",
        laboratory=tn.laboratory,
        paying_establishment=tn.establishment,
        theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )


def build_project(w):
    from mesocentre.projects.models import ProjectMembership

    project = _project(w)
    make(ProjectMembership, project=project, user=user("pi"), role="pi")


def build_project_membership(w, project=None):
    from mesocentre.projects.models import ProjectMembership

    make(ProjectMembership, project=project or w.A.project, user=user("student"))


def build_project_invitation(w):
    from mesocentre.core.tokens import token_digest
    from mesocentre.projects.models import ProjectInvitation

    make(
        ProjectInvitation,
        project=_project(w),
        invited_by=w.A.member,
        invitee=w.outsider,
        username="outsider",
        token_digest=token_digest(f"project-q{next(_serial)}"),
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )


def build_call(w):
    from mesocentre.projects.models import Call, Round

    n = next(_serial)
    call = make(Call, code=f"call-q{n}", name=f"Call {n}")
    now = timezone.now()
    make(Round, call=call, name="Round", opens_at=now, closes_at=now + datetime.timedelta(days=30), cpu_budget=1000)


def build_round(w):
    from mesocentre.projects.models import Round, RoundBudget

    now = timezone.now()
    round_ = make(
        Round,
        call=w.call,
        name=f"Round {next(_serial)}",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
        cpu_budget=1000,
    )
    make(RoundBudget, round=round_, theme=w.theme, cpu_budget=500)
    make(RoundBudget, round=round_, laboratory=w.A.laboratory, cpu_budget=500)


def build_request(w, project=None):
    from mesocentre.projects.models import AllocationRequest, Round

    round_ = w.A.round
    if project is not None:  # a project asks once per round
        now = timezone.now()
        closes = now + datetime.timedelta(days=30)
        round_ = make(Round, call=w.call, name=f"Round {next(_serial)}", opens_at=now, closes_at=closes, cpu_budget=1)
    return make(
        AllocationRequest,
        project=project or _project(w),
        round=round_,
        cpu_core_hours=1000,
        justification="Runs.",
        status="under_review",
        submitted_at=timezone.now(),
    )


def build_assignment(w, reviewer=None):
    from mesocentre.projects.models import ReviewAssignment

    return make(ReviewAssignment, request=build_request(w), reviewer=reviewer or user("committee", is_reviewer=True))


def build_review(w):
    from mesocentre.projects.models import Review

    make(Review, assignment=build_assignment(w), score=4, public_comment="Good.", private_comment="Fine.")


def build_allocation(w, project=None):
    from mesocentre.projects.models import Allocation, ChangeRequest

    allocation = make(
        Allocation,
        project=project or _project(w),
        cluster=f"cluster-q{next(_serial)}",
        cpu_core_hours=1000,
        gpu_hours=10,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    for status in ("approved", "pending"):
        make(
            ChangeRequest,
            allocation=allocation,
            change_type="more_hours",
            extra_cpu_core_hours=100,
            justification="More.",
            status=status,
            requested_by=w.A.member,
        )
    return allocation


def build_change_request(w):
    from mesocentre.projects.models import Allocation, ChangeRequest

    allocation = make(
        Allocation,
        project=_project(w),
        cpu_core_hours=1000,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    make(
        ChangeRequest,
        allocation=allocation,
        change_type="more_hours",
        extra_cpu_core_hours=100,
        justification="More.",
        requested_by=w.A.member,
    )
    # A decided one too: the page lists both the pending and the decided.
    make(
        ChangeRequest,
        allocation=allocation,
        change_type="more_hours",
        extra_cpu_core_hours=50,
        justification="More.",
        status="approved",
        requested_by=w.A.member,
        decided_by=w.operator,
    )


def build_publication(w):
    from mesocentre.projects.models import Publication

    make(Publication, project=_project(w), title=f"Paper {next(_serial)}", doi="10.1000/paper", year=2025)


def build_grant(w):
    from mesocentre.projects.models import Grant

    make(Grant, project=_project(w), funder="ANR", reference=f"ANR-q{next(_serial)}")


def build_audit_entry(w):
    from mesocentre.audit.models import AuditEntry

    n = next(_serial)
    make(
        AuditEntry,
        user=w.operator,
        actor="operator",
        action="update",
        object_type="tenancy.establishment",
        object_id=str(w.A.establishment.pk),
        object_repr=f"Establishment {n}",
        before={"name": "Before"},
        after={"name": f"After {n}"},
    )


def build_user(w):
    from mesocentre.tenancy.models import Membership

    make(Membership, user=user("person"), establishment=w.A.establishment, role="member")


def builders():
    from mesocentre.audit.models import AuditEntry
    from mesocentre.capacity.models import Host, Site
    from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
    from mesocentre.projects import models as p
    from mesocentre.provisioning.models import ManualTask, Operation
    from mesocentre.tenancy import models as t
    from mesocentre.tenancy.invitation_models import EstablishmentInvitation

    return {
        t.ScientificTheme: build_theme,
        t.Establishment: build_establishment,
        t.Laboratory: build_laboratory,
        t.User: build_user,
        t.Membership: build_membership,
        EstablishmentInvitation: build_establishment_invitation,
        t.CharterVersion: build_charter_version,
        PriceList: build_price_list,
        Offering: build_offering,
        Plan: build_plan,
        Component: build_component,
        Price: build_price,
        Site: build_site,
        Host: build_host,
        Operation: build_operation,
        ManualTask: build_manual_task,
        p.Project: build_project,
        p.ProjectMembership: build_project_membership,
        p.ProjectInvitation: build_project_invitation,
        p.Call: build_call,
        p.Round: build_round,
        p.AllocationRequest: build_request,
        p.Review: build_review,
        p.Allocation: build_allocation,
        p.ChangeRequest: build_change_request,
        p.Publication: build_publication,
        p.Grant: build_grant,
        AuditEntry: build_audit_entry,
    }


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
    assert {"tenancy-api:user-list", "projects-api:allocation-list", "audit-api:auditentry-list"} <= set(API_LISTS)


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
    "capacity-api:site-list": "operators only (403)",
    "provisioning-api:manualtask-list": "operators only (403)",
    "provisioning-api:operation-list": "operators only (403)",
    "tenancy-api:establishment-list": "the rows added are establishments the manager does not belong to",
    "projects-api:projectinvitation-list": "a project's invitations are its PI's and managers', not the payer's",
    "projects-api:review-list": "reviews of undecided requests are the committee's",
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
    ("projects:allocation_list", "operator", build_allocation),
    ("tenancy:establishment_list", "operator", build_establishment),
    ("provisioning:operation_list", "operator", build_operation),
    ("provisioning:task_list", "operator", build_manual_task),
    # Filtered to one type: the page resolves references once per type of object shown, so a page of 50 entries
    # of many types costs more queries than one of few (bounded by the number of models, not of rows).
    ("audit:entry_list", "operator", build_audit_entry, "?object_type=tenancy.establishment"),
    ("tenancy:invitation_list", "outsider", lambda w: (build_establishment_invitation(w), build_project_invitation(w))),
    ("projects:change_request_list", "operator", build_change_request),
    ("projects:call_list", "operator", build_call),
    ("catalogue:offering_list", "operator", build_offering),
    ("projects:assignment_list", "reviewer", lambda w: build_assignment(w, reviewer=w.reviewer)),
]


@pytest.mark.parametrize("page", PORTAL_LISTS, ids=[page[0] for page in PORTAL_LISTS])
def test_portal_list_queries_do_not_grow_with_rows(world, page):
    name, who, build, *query = page
    path = reverse(name) + "".join(query)
    assert_constant(client_of(_reader(world, who)), path, lambda: build(world))


# Pages of one object that list its parts: (name, who reads it, its URL's kwargs, what adds a part).
PORTAL_PAGES = [
    ("projects:call_detail", "operator", lambda w: {"code": w.call.code}, build_round),
    ("projects:round_detail", "operator", lambda w: {"pk": w.A.round.pk}, build_request),
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
