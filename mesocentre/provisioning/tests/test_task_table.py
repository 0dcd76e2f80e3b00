"""The manual task list: the API's FilterSet, those to do by default, pages of 25, sortable columns."""

import re

import pytest
from django.urls import reverse

from mesocentre.provisioning.models import ManualTask, Operation

LIST = reverse("provisioning:task_list")
API = reverse("provisioning-api:manualtask-list")


@pytest.fixture
def tasks(db):
    """30 open tasks "Rack 00"…"Rack 29" on rack-00…, and one done on the firewall of jets."""
    operations = Operation.objects.bulk_create(
        [
            Operation(backend="manual", resource_type="rack", resource_key=f"rack-{i:02}", state="waiting", target={})
            for i in range(30)
        ]
        + [Operation(backend="manual", resource_type="firewall-rule", resource_key="jets", state="done", target={})]
    )
    ManualTask.objects.bulk_create(
        [ManualTask(operation=op, title=f"Rack {i:02}") for i, op in enumerate(operations[:30])]
        + [ManualTask(operation=operations[30], title="Open port 22", status="done")]
    )


def titles(response) -> list[str]:
    return re.findall(r'<td><a href="/provisioning/tasks/\d+/">([^<]+)</a></td>', response.content.decode())


def test_those_to_do_25_a_page_newest_first(client, operator, tasks):
    client.force_login(operator)
    first = client.get(LIST)
    assert first.status_code == 200
    assert titles(first)[:2] == ["Rack 29", "Rack 28"] and len(titles(first)) == 25
    second = client.get(LIST, {"page": 2})
    assert titles(second) == [f"Rack {i:02}" for i in range(4, -1, -1)]  # still only those to do
    assert "Page 2 of 2 (30 rows)" in second.content.decode()


def test_every_status_or_one(client, operator, tasks):
    client.force_login(operator)
    assert titles(client.get(LIST, {"status": "done"})) == ["Open port 22"]
    everything = client.get(LIST, {"status": "", "per_page": 100})
    assert len(titles(everything)) == 31 and titles(everything)[0] == "Open port 22"


@pytest.mark.parametrize(("asked", "per_page"), [("10", 10), ("1000", 100), ("nonsense", 25), ("0", 25)])
def test_per_page_is_bounded(client, operator, tasks, asked, per_page):
    client.force_login(operator)
    response = client.get(LIST, {"per_page": asked})
    assert response.context["table"].paginator.per_page == per_page
    assert len(titles(response)) == min(per_page, 30)


def test_sorted_by_title_and_by_resource_both_ways(client, operator, tasks):
    client.force_login(operator)
    assert titles(client.get(LIST, {"sort": "title", "per_page": 2})) == ["Rack 00", "Rack 01"]
    assert titles(client.get(LIST, {"sort": "-resource", "per_page": 2})) == ["Rack 29", "Rack 28"]
    body = client.get(LIST, {"sort": "-title"}).content.decode()
    assert body.count("aria-sort") == 1 and 'aria-sort="descending"' in body


@pytest.mark.parametrize("sort", ["operation__resource_key", "nonsense", "-"])
def test_a_sort_on_no_column_keeps_the_default_order(client, operator, tasks, sort):
    client.force_login(operator)
    response = client.get(LIST, {"sort": sort, "per_page": 2})
    assert response.status_code == 200 and titles(response) == ["Rack 29", "Rack 28"]


def test_search_on_the_title_or_the_resource(client, operator, tasks):
    client.force_login(operator)
    assert titles(client.get(LIST, {"q": "rack-1", "per_page": 3})) == ["Rack 19", "Rack 18", "Rack 17"]
    assert titles(client.get(LIST, {"q": "JETS", "status": ""})) == ["Open port 22"]


@pytest.mark.parametrize(("field", "value"), [("status", "exploded"), ("operation", "999999")])
def test_a_bad_filter_is_a_400_naming_the_field(client, operator, tasks, field, value):
    client.force_login(operator)
    response = client.get(LIST, {field: value})
    assert response.status_code == 400
    assert list(response.context["filter"].form.errors) == [field]
    assert titles(response) == []
    assert client.get(API, {field: value}).status_code == 400


def test_the_api_and_the_page_give_the_same_tasks(client, operator, tasks):
    client.force_login(operator)
    query = {"status": "open", "q": "rack-2"}
    api = client.get(API, query, HTTP_ACCEPT="application/json").json()
    page = titles(client.get(LIST, query))
    assert page == [f"Rack {i}" for i in range(29, 19, -1)]
    assert sorted(t["title"] for t in api["results"]) == sorted(page)
    # The API lists every status by default, and still takes an operation's id.
    assert client.get(API).json()["count"] == 31
    jets = Operation.objects.get(resource_key="jets")
    assert [t["title"] for t in client.get(API, {"operation": jets.pk}).json()["results"]] == ["Open port 22"]


def test_the_list_is_the_operators(client, researcher, tasks):
    client.force_login(researcher)
    assert client.get(LIST).status_code == 403


def test_each_task_says_what_to_do(client, operator, tasks):
    client.force_login(operator)
    page = client.get(LIST, {"status": "", "per_page": 100}).content.decode()
    assert "What to do" in page and "Set up rack hosting “rack-00”." in page and "Set up firewall-rule “jets”." in page
