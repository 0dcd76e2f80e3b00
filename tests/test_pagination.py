"""Every list of the API refuses a limit or an offset that is not a sensible whole number, with a 400, never a 500."""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from mesocentre.core.api import BoundedLimitOffsetPagination
from mesocentre.tenancy.models import User

API_NAMESPACES = {
    "tenancy-api",
    "catalogue-api",
    "capacity-api",
    "audit-api",
    "projects-api",
    "hpc-api",
    "projects-api-legacy",
    "provisioning-api",
    "billing-api",
}


def list_names(resolver=None, namespaces: tuple = ()) -> list[str]:
    """The reversible names of the routers' lists ("tenancy-api:user-list"), found by walking the resolver."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            names += list_names(pattern, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
        elif pattern.name and pattern.name.endswith("-list") and set(namespaces) & API_NAMESPACES:
            names.append(":".join((*namespaces, pattern.name)))
    return sorted(set(names))


LISTS = list_names()
BAD = [("limit", str(10**20)), ("limit", "-1"), ("limit", "abc"), ("limit", ""), ("limit", "1.5"), ("offset", "-3")]
BAD += [("offset", str(10**20)), ("offset", "abc"), ("limit", "+5"), ("limit", "٣")]


def test_the_walk_finds_the_lists_of_every_router():
    assert len(LISTS) >= 23
    assert {"tenancy-api:user-list", "catalogue-api:price-list", "audit-api:auditentry-list"} <= set(LISTS)


@pytest.fixture
def operator_api(demo, api):
    api.force_authenticate(User.objects.get(username="operator"))
    return api


@pytest.mark.parametrize("name", LISTS)
def test_bad_limit_or_offset_is_a_400_naming_the_parameter(name, operator_api):
    path = reverse(name)
    for param, value in BAD:
        response = operator_api.get(path, {param: value})
        assert response.status_code == 400, (path, param, value, response.status_code)
        assert list(response.json()) == [param]
        assert "whole number" in response.json()[param][0]
    assert operator_api.get(path, {"limit": "1000", "offset": str(10**9)}).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_anonymous_bad_limit_is_refused_never_a_500(name, demo, api):
    path = reverse(name)
    # Public lists (the catalogue, the themes) check the parameters; the others refuse the anonymous caller first.
    plain = api.get(path).status_code
    assert plain in {200, 401, 403}
    expected = {400} if plain == 200 else {plain}
    for param, value in BAD:
        response = api.get(path, {param: value})
        assert response.status_code in expected, (path, param, value, response.status_code)


@pytest.mark.parametrize("name", LISTS)
def test_a_limit_above_the_maximum_serves_the_maximum(name, operator_api, monkeypatch):
    # The demo's tables hold fewer than 1 000 rows: a maximum of 2 shows the cap on every list that has 3.
    monkeypatch.setattr(BoundedLimitOffsetPagination, "max_limit", 2)
    body = operator_api.get(reverse(name), {"limit": "5000"}).json()
    assert len(body["results"]) == min(2, body["count"])
    if body["count"] > 2:
        assert body["next"]
