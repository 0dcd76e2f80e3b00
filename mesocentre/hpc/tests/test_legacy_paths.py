"""The HPC pages' and endpoints' addresses before the split answer for one release: the pages with a 308 to their
new address (method and body kept), the API at the old path itself, deprecated."""

import pytest
from django.test import Client
from django.urls import reverse

from mesocentre.hpc.legacy_urls import OLD_PATHS

KWARGS = {"<slug:code>": "jets", "<int:pk>": "7"}


def _fill(route: str) -> str:
    for placeholder, value in KWARGS.items():
        route = route.replace(placeholder, value)
    return route


def _kwargs(route: str) -> dict:
    return {
        name: value
        for placeholder, value in KWARGS.items()
        if placeholder in route
        for name in [placeholder.strip("<>").split(":")[1]]
    }


@pytest.mark.parametrize("route, name", sorted(OLD_PATHS.items()))
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_old_page_address_answers_a_308_to_its_new_one_for_anyone(db, user_factory, route, name, method):
    new = reverse(f"hpc:{name}", kwargs=_kwargs(route))
    assert new.startswith("/hpc/")
    for client in (Client(), _signed_in(user_factory)):
        response = getattr(client, method)(f"/projects/{_fill(route)}?sort=code")
        assert response.status_code == 308, "a form posted to the old address is posted again to the new one"
        assert response["Location"] == f"{new}?sort=code"


def _signed_in(user_factory) -> Client:
    client = Client()
    client.force_login(user_factory("someone"))
    return client


def test_the_old_api_paths_answer_like_the_new_ones_and_say_they_are_deprecated(db, user_factory):
    client = Client()
    client.force_login(user_factory("op", is_operator=True))
    new = client.get("/api/hpc/allocations/")
    old = client.get("/api/projects/allocations/")
    assert old.status_code == new.status_code == 200 and old.json() == new.json()
    assert "Deprecation" not in new
    assert old["Deprecation"].startswith("@") and old["Link"] == '</api/hpc/allocations/>; rel="successor-version"'
    schema = client.get("/api/schema/?format=json").json()
    assert schema["paths"]["/api/projects/allocations/"]["get"]["deprecated"] is True
    assert "deprecated" not in schema["paths"]["/api/hpc/allocations/"]["get"]


def test_the_projects_words_of_the_old_addresses_stay_reserved():
    from mesocentre.projects.naming import PAGE_WORDS

    assert {route.split("/")[0] for route in OLD_PATHS if not route.startswith("<")} <= PAGE_WORDS
