"""The operation list: the API's FilterSet, a search on the resource key, pages of 25, sortable columns."""

import re

import pytest
from django.urls import reverse

from mesocentre.provisioning.models import Operation

LIST = reverse("provisioning:operation_list")


@pytest.fixture
def queue(db):
    """30 pending operations of the manual backend on lab-00…lab-29, and one failed Slurm account."""
    Operation.objects.bulk_create(
        [
            Operation(backend="manual", resource_type="firewall-rule", resource_key=f"lab-{i:02}", target={})
            for i in range(30)
        ]
    )
    Operation.objects.create(
        backend="slurm", resource_type="slurm-account", resource_key="jets", state="failed", target={}
    )


def keys(response) -> list[str]:
    return re.findall(r"<td>[\w-]+/([\w-]+)</td>", response.content.decode())


def test_25_a_page_newest_first_and_the_rest_on_page_2(client, operator, queue):
    client.force_login(operator)
    first = keys(client.get(LIST))
    assert len(first) == 25 and first[:2] == ["jets", "lab-29"]
    assert keys(client.get(LIST, {"page": 2})) == [f"lab-{i:02}" for i in range(5, -1, -1)]


def test_sorted_by_resource_both_ways(client, operator, queue):
    client.force_login(operator)
    assert keys(client.get(LIST, {"sort": "resource", "per_page": 3})) == ["lab-00", "lab-01", "lab-02"]
    assert keys(client.get(LIST, {"sort": "-resource", "per_page": 3})) == ["jets", "lab-29", "lab-28"]


def test_filters_search_and_a_bad_state(client, operator, queue):
    client.force_login(operator)
    assert keys(client.get(LIST, {"state": "failed"})) == ["jets"]
    assert keys(client.get(LIST, {"backend": "manual", "q": "LAB-1"})) == [f"lab-{i}" for i in range(19, 9, -1)]
    bad = client.get(LIST, {"state": "exploded"})
    assert bad.status_code == 400 and list(bad.context["filter"].form.errors) == ["state"]


def test_the_api_and_the_page_give_the_same_operations(client, operator, queue):
    client.force_login(operator)
    query = {"backend": "manual", "q": "lab-2"}
    api = client.get(reverse("provisioning-api:operation-list"), query, HTTP_ACCEPT="application/json").json()
    page = keys(client.get(LIST, query))
    assert page == [f"lab-{i}" for i in range(29, 19, -1)]  # newest first
    assert sorted(o["resource_key"] for o in api["results"]) == sorted(page)  # the API lists in its own order
    # The API's exact filters are still accepted.
    assert client.get(reverse("provisioning-api:operation-list"), {"resource_key": "jets"}).json()["count"] == 1
