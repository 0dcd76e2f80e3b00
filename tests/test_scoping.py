"""The permission test of the whole platform: nobody reads or writes what is not theirs.

Every URL pattern of the project is enumerated by walking the resolver; each must have a case in
`scoping_cases.CASES` (or sit in a namespace listed below with its reason), so a view added without a scoping case
fails `test_every_url_pattern_has_a_scoping_case` with the pattern's name. Each case is then played for every role
against the objects of establishments A and B: reads of every pattern of the name (list, detail, format suffix,
browsable API), and every write the view accepts, each in a savepoint rolled back afterwards.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from scoping_cases import CASES, CASES_BY_NAME
from scoping_table import Case, Ctx, Write
from scoping_world import MARKERS, ROLES, TENANTS_OF, role_user, seed

from mesocentre.core.testing import WORLD_NOW

# Not walked, with the reason. The admin is Django's own, guarded as a whole by is_staff: test_admin_is_staff_only.
EXCLUDED_NAMESPACES = {"admin": "Django's admin site, reachable by staff only (test_admin_is_staff_only)"}

# The provisioning app is being rewritten and its final URLs are not known yet. Its cases go into
# scoping_cases.CASES like any other once its URLs settle; then delete this constant's entries.
NAMESPACES_COVERED_ELSEWHERE: dict[str, str] = {
    "hpc-legacy": "the HPC pages' old addresses, bare redirects that read nothing: every one answers the same 308 to "
    "its new address whoever asks (mesocentre/hpc/tests/test_legacy_paths.py), which this walk then plays",
}


# ---------------------------------------------------------------------------------------------- the URL walk
@dataclass(frozen=True)
class Endpoint:
    name: str | None  # "namespace:name", as reverse() takes it
    route: str  # the full pattern, as ResolverMatch.route spells it
    namespaces: tuple
    params: frozenset

    def __str__(self) -> str:
        return f"{self.name or '<unnamed>'} ({self.route!r})"


def _params(pattern) -> set:
    """The kwargs a pattern captures: path() converters and re_path() named groups (the routers' ones)."""
    regex = getattr(pattern, "regex", None)
    return set(getattr(pattern, "converters", {})) | (set(regex.groupindex) if regex is not None else set())


def _join(route1: str, route2: str) -> str:
    # The same rule as URLResolver._join_route, so that routes compare with resolve(path).route.
    return route2 if not route1 else route1 + route2.removeprefix("^")


def walk(resolver=None, prefix: str = "", namespaces: tuple = (), params: frozenset = frozenset()):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = _join(prefix, str(pattern.pattern))
        here = params | _params(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from walk(pattern, route, inner, here)
        else:
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            yield Endpoint(name, route, namespaces, here)


ENDPOINTS = list(walk())


def skipped_because(endpoint: Endpoint) -> str | None:
    for namespace in endpoint.namespaces:
        if namespace in EXCLUDED_NAMESPACES:
            return EXCLUDED_NAMESPACES[namespace]
        if namespace in NAMESPACES_COVERED_ELSEWHERE:
            return NAMESPACES_COVERED_ELSEWHERE[namespace]
    return None


def variants(name: str) -> list[Endpoint]:
    """Every pattern a name reverses to: a router's list and its format-suffix twin, for instance."""
    return [endpoint for endpoint in ENDPOINTS if endpoint.name == name]


def path_for(endpoint: Endpoint, case: Case, obj) -> str:
    kwargs = dict(case.kwargs(obj)) if case.target else {}
    if "format" in endpoint.params:
        kwargs.setdefault("format", "json")  # a case that names its format (a document's) keeps it
    path = reverse(endpoint.name, kwargs=kwargs)
    assert resolve(path).route == endpoint.route, f"{path} does not reach {endpoint}"
    return path


# ---------------------------------------------------------------------------------------------- coverage
def test_every_url_pattern_has_a_scoping_case():
    missing = [
        str(endpoint)
        for endpoint in ENDPOINTS
        if not skipped_because(endpoint) and (endpoint.name is None or endpoint.name not in CASES_BY_NAME)
    ]
    assert not missing, (
        "These URL patterns have no scoping case: add one to tests/scoping_cases.py (CASES), scoping_cases_projects.py or scoping_cases_projects_api.py, "
        "saying who reads and who writes what:\n  " + "\n  ".join(missing)
    )


def test_every_case_reaches_every_pattern_of_its_name():
    dummy = SimpleNamespace(pk=1, code="x", number="F-2026-000001")  # an invoice is named by its number
    assert len(CASES_BY_NAME) == len(CASES), "two cases for the same URL name"
    for case in CASES:
        found = variants(case.name)
        assert found, f"case {case.name!r} names no URL pattern: stale case, remove or rename it"
        for endpoint in found:
            path_for(endpoint, case, dummy)


def test_the_walk_sees_nested_includes_and_router_variants():
    routes = {endpoint.route for endpoint in ENDPOINTS}
    assert "api/tenancy/memberships/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$" in routes
    assert "api/audit/<drf_format_suffix:format>" in routes
    assert "tenancy/memberships/<int:pk>/delete/" in routes
    assert any(endpoint.namespaces[:1] == ("admin",) for endpoint in ENDPOINTS)


# ---------------------------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The two establishments, seeded once for the module inside a transaction that is never committed.

    Each test runs in a savepoint inside it (pytest-django's `db`), as Django's TestCase.setUpTestData does. The
    module runs in mid-June 2026, whatever today is: the world's allocations run through 2026.
    """
    with time_machine.travel(WORLD_NOW, tick=True), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = seed()
            w.forbidden_paths = forbidden_paths(w)
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(seeded, db):
    return seeded


@pytest.fixture
def clients(world):
    """One logged-in client per role, made on first use (outside a rolled-back savepoint, or its session goes)."""
    made = {}

    def get(role: str) -> Client:
        if role not in made:
            made[role] = client_for(world, role)
        return made[role]

    return get


def client_for(w, role: str) -> Client:
    client = Client()
    user = role_user(w, role)
    if user is not None:
        client.force_login(user)
    return client


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def allowed(response) -> bool:
    return 200 <= response.status_code < 300 or (response.status_code in (301, 302, 303) and not to_login(response))


def refused(response, role: str, write: bool = False, no_get: bool = False) -> bool:
    """Anonymous: 401/403 or the login page. Others: 403/404 (and 400 for a write the serializer refuses, 409 for
    a delete of what other objects depend on, see scoping_cases). 405 where the method is not served at all: a GET on a POST-only view, a write on a read-only API.
    """
    if role == "anonymous":
        codes = {401, 403}
    else:
        codes = {403, 404} | ({400, 409} if write else set())
    if write or no_get:
        codes.add(405)
    return response.status_code in codes or (role == "anonymous" and to_login(response))


def forbidden_paths(w) -> dict[str, set[str]]:
    """Links to every tenant object, by tenant: a role must not find one of another tenant in what it reads."""
    paths = {"A": set(), "B": set()}
    for case in CASES:
        if case.tenant and case.target:
            for tenant in paths:
                paths[tenant].add(reverse(case.name, kwargs=case.kwargs(case.target(w, tenant))))
    return paths


def may(case: Case, role: str, tenant: str, roles: frozenset) -> bool:
    """The tenant rule: B's objects of a tenant case are the operators' only; otherwise the table decides."""
    if case.tenant and tenant == "B" and role != "operator":
        return False
    return role in roles


def check_body(response, w, role: str, what: str, paths: dict) -> str:
    body = response.content.decode("utf-8", "replace")
    lowered = body.lower()
    for tenant, marker in MARKERS.items():
        if tenant in TENANTS_OF[role]:
            continue
        assert marker not in lowered, f"{role} reads {what} and finds tenant {tenant}'s data ({marker!r})"
        leaked = sorted(p for p in paths[tenant] if p in body)
        assert not leaked, f"{role} reads {what} and finds links to tenant {tenant}'s objects: {leaked}"
    return body


# ---------------------------------------------------------------------------------------------- the cases
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_scoping(case: Case, role: str, world, clients):
    w = world
    paths = w.forbidden_paths
    client = clients(role)
    for tenant in ("A", "B") if case.target else ("A",):
        obj = case.target(w, tenant) if case.target else None
        may_read = may(case, role, tenant, case.readers)
        for endpoint in variants(case.name):
            path = path_for(endpoint, case, obj)
            reads = [(path, False)]
            if case.api and "format" not in endpoint.params:
                reads.append((path + "?format=api", True))  # the browsable API: forms and filters are HTML too
            for url, html in reads:
                if case.listing:
                    url += ("&" if "?" in url else "?") + "limit=1000"
                what = f"{url} ({tenant}'s)" if case.target else url
                response = client.get(url)
                if not may_read:
                    no_get = not case.readers
                    assert refused(response, role, no_get=no_get), (
                        f"{role} must not read {what}: {response.status_code}"
                    )
                    continue
                assert allowed(response), f"{role} must read {what}: got {response.status_code}"
                body = check_body(response, w, role, what, paths)
                for expected in case.shows(w, role) if tenant == "A" else ():
                    assert expected in body, f"{role} reads {what} but does not find {expected!r}"
                if case.listing and not html and response.status_code == 200:
                    check_listing(case, response, w, role, what)
    for method, write in case.writes.items():
        for tenant in ("A", "B") if case.tenant or case.target else ("A",):
            check_write(case, method, write, role, tenant, w, client)


def check_listing(case: Case, response, w, role: str, what: str) -> None:
    data = response.json()
    results = data["results"]
    assert data["count"] == len(results), f"{what}: the list is paginated, raise the limit"
    ids = {item["id"] for item in results}
    expected = case.listing(w, role)
    assert not ids - expected, f"{role} lists {what} and gets ids that are not theirs: {sorted(ids - expected)}"
    assert not expected - ids, f"{role} lists {what} and misses ids that are theirs: {sorted(expected - ids)}"


def default_state(ctx: Ctx):
    if ctx.obj is not None:
        return type(ctx.obj)._base_manager.filter(pk=ctx.obj.pk).values().first()
    return ctx.view.queryset.model._base_manager.count()


def check_write(case: Case, method: str, write: Write, role: str, tenant: str, w, client: Client) -> None:
    obj = case.target(w, tenant) if case.target else None
    path = reverse(case.name, kwargs=case.kwargs(obj) if case.target else {})
    view = getattr(resolve(path).func, "cls", None)
    ctx = Ctx(w, tenant, obj, view)
    payload = write.payload(ctx) if write.payload else {}
    state = write.state or default_state
    what = f"{method} {path}" + (f" ({tenant}'s)" if case.target or case.tenant else "")
    with transaction.atomic():
        before = state(ctx) if write.check_state else None
        if case.api:
            response = client.generic(method, path, json.dumps(payload), content_type="application/json")
        else:
            response = client.generic(
                method,
                path,
                "&".join(f"{k}={v}" for k, v in payload.items()),
                content_type="application/x-www-form-urlencoded",
            )
        after = state(ctx) if write.check_state else None
        transaction.set_rollback(True)
    if may(case, role, tenant, write.allowed):
        detail = response.content[:300]
        assert allowed(response), f"{role} may {what}: got {response.status_code} {detail!r}"
        if write.check_state and write.changes:
            assert after != before, f"{role} may {what}: answered {response.status_code} but changed nothing"
    else:
        assert refused(response, role, write=True), f"{role} must not {what}: got {response.status_code}"
    if write.check_state and not (may(case, role, tenant, write.allowed) and write.changes):
        assert after == before, f"{role} {what} changed what is not theirs:\n  before {before}\n  after  {after}"


# ---------------------------------------------------------------------------------------------- role rules in a tenant
def api_write(client: Client, method: str, path: str, payload: dict | None = None):
    return client.generic(method, path, json.dumps(payload or {}), content_type="application/json")


def test_only_managers_and_operators_invite_and_nobody_adds_members_directly(world, clients):
    from mesocentre.tenancy.models import EstablishmentInvitation, Membership

    w = world
    api_path = reverse("tenancy-api:establishmentinvitation-list")
    page = reverse("tenancy:establishment_detail", kwargs={"code": w.A.establishment.code})
    to_a = {"to": "outsider", "establishment": w.A.establishment.pk, "role": "member"}
    invitations = EstablishmentInvitation.objects.filter(establishment=w.A.establishment, username="outsider")
    before = invitations.count()
    for role in ("member_a", "reviewer"):
        assert api_write(clients(role), "POST", api_path, to_a).status_code in (400, 403)
        assert clients(role).post(page, {"to": "outsider", "role": "member"}).status_code in (403, 404)
        assert invitations.count() == before, f"{role} invited someone to A"
    for role in ("manager_a", "operator"):
        client = clients(role)  # logged in outside the savepoints below, which roll its session back otherwise
        with transaction.atomic():
            assert api_write(client, "POST", api_path, to_a).status_code == 201
            assert invitations.count() == before + 1
            transaction.set_rollback(True)
        with transaction.atomic():
            assert allowed(client.post(page, {"to": "outsider", "role": "member"}))
            assert invitations.count() == before + 1
            transaction.set_rollback(True)
        direct = {"user": w.outsider.pk, "establishment": w.A.establishment.pk, "role": "member"}
        assert api_write(client, "POST", reverse("tenancy-api:membership-list"), direct).status_code == 405
    # A manager of A invites nobody to B, through the API or the page.
    to_b = {**to_a, "establishment": w.B.establishment.pk}
    assert api_write(clients("manager_a"), "POST", api_path, to_b).status_code == 400
    page_b = reverse("tenancy:establishment_detail", kwargs={"code": w.B.establishment.code})
    assert clients("manager_a").post(page_b, {"to": "outsider", "role": "member"}).status_code == 404
    assert not Membership.objects.filter(user=w.outsider).exists(), "an invitation is no membership"


def test_members_do_not_promote_themselves(world, clients):
    from mesocentre.tenancy.models import Membership, User

    w = world
    member = clients("member_a")
    own = reverse("tenancy-api:membership-detail", kwargs={"pk": w.A.membership.pk})
    assert api_write(member, "PATCH", own, {"role": "manager"}).status_code == 403
    assert Membership.objects.get(pk=w.A.membership.pk).role == "member"
    me = reverse("tenancy-api:user-detail", kwargs={"pk": w.A.member.pk})
    assert api_write(member, "PATCH", me, {"is_operator": True, "is_reviewer": True}).status_code == 200
    assert User.objects.filter(pk=w.A.member.pk, is_operator=False, is_reviewer=False).exists()


def test_a_manager_moves_no_membership_to_another_establishment(world, clients):
    from mesocentre.tenancy.models import Membership

    w = world
    path = reverse("tenancy-api:membership-detail", kwargs={"pk": w.A.membership.pk})
    response = api_write(clients("manager_a"), "PATCH", path, {"establishment": w.B.establishment.pk})
    assert response.status_code == 200, "who and where are read-only: a membership is never moved"
    assert Membership.objects.get(pk=w.A.membership.pk).establishment == w.A.establishment


def test_managers_change_neither_prices_nor_establishments(world, clients):
    from mesocentre.catalogue.models import Price
    from mesocentre.tenancy.models import Establishment

    w = world
    manager = clients("manager_a")
    price = reverse("catalogue-api:price-detail", kwargs={"pk": w.A.price.pk})
    assert api_write(manager, "PATCH", price, {"amount": "0.000001"}).status_code == 403
    new_price = {"component": w.A.component.pk, "amount": "0.01", "valid_from": "2030-01-01"}
    assert api_write(manager, "POST", reverse("catalogue-api:price-list"), new_price).status_code == 403
    tariff = reverse("catalogue:tariff_create", kwargs={"pk": w.A.component.pk})
    assert manager.post(tariff, {"amount": "0.01", "valid_from": "2030-01-01"}).status_code == 403
    assert Price.objects.get(pk=w.A.price.pk).amount == Decimal("1.5")
    assert not Price.objects.filter(component=w.A.component).exists()
    own = reverse("tenancy-api:establishment-detail", kwargs={"pk": w.A.establishment.pk})
    assert api_write(manager, "PATCH", own, {"kind": "company", "siret": ""}).status_code == 403
    assert Establishment.objects.get(pk=w.A.establishment.pk).kind == "university"
    new = {"code": "mine", "name": "Mine", "kind": "company"}
    assert api_write(manager, "POST", reverse("tenancy-api:establishment-list"), new).status_code == 403
    assert not Establishment.objects.filter(code="mine").exists()


def test_only_operators_read_the_audit_log(world, clients):
    for role in ("member_a", "manager_a", "reviewer"):
        assert clients(role).get(reverse("audit:entry_list")).status_code == 403
        assert clients(role).get(reverse("audit-api:auditentry-list")).status_code == 403
    assert to_login(clients("anonymous").get(reverse("audit:entry_list")))
    assert clients("anonymous").get(reverse("audit-api:auditentry-list")).status_code in (401, 403)
    assert clients("operator").get(reverse("audit:entry_list")).status_code == 200
    entries = clients("operator").get(reverse("audit-api:auditentry-list"), {"limit": 1000}).json()["results"]
    assert {world.A.audit_entry.pk, world.B.audit_entry.pk} <= {entry["id"] for entry in entries}


def test_filtering_by_another_tenants_id_reveals_nothing(world, clients):
    """A filter on B's establishment is refused like a filter on an id that does not exist."""
    w = world
    path = reverse("tenancy-api:membership-list")
    for role in ("member_a", "manager_a", "reviewer"):
        client = clients(role)
        other = client.get(path, {"establishment": w.B.establishment.pk})
        missing = client.get(path, {"establishment": 10**9})
        assert other.status_code == missing.status_code == 400, role
        assert other.json().keys() == missing.json().keys()
        users = client.get(reverse("tenancy-api:user-list"), {"username": w.B.member.username}).json()
        assert users["results"] == [], role


def test_a_personal_token_sees_what_its_owner_sees(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.B.token_key}")
    results = client.get(reverse("tenancy-api:membership-list")).json()["results"]
    assert [item["id"] for item in results] == [world.B.membership.pk]
    detail = reverse("tenancy-api:establishment-detail", kwargs={"pk": world.A.establishment.pk})
    assert client.get(detail).status_code == 404


# ---------------------------------------------------------------------------------------------- the admin
def test_admin_is_staff_only(world, clients):
    """The admin is excluded from the walk as a whole: Django guards all of it with is_staff, proven here."""
    login = reverse("admin:login")
    for path in (reverse("admin:index"), reverse("admin:tenancy_establishment_changelist")):
        for role in ("anonymous", "member_a", "manager_a", "reviewer"):
            response = clients(role).get(path)
            assert response.status_code == 302 and response["Location"].startswith(login), (role, path)
        assert clients("operator").get(path).status_code == 200
