"""The establishment list: the API's FilterSet, a search, counts of members and laboratories, sortable columns."""

import re

import pytest
from django.urls import reverse

from mesocentre.tenancy.models import Establishment, Laboratory, Membership

LIST = reverse("tenancy:establishment_list")
API = reverse("tenancy-api:establishment-list")


@pytest.fixture
def operator(user_factory):
    return user_factory("olga", is_operator=True)


@pytest.fixture
def establishments(db, user_factory):
    """30 universities "University 00"… (code univ-00…), and the CNRS with 3 members and 2 laboratories."""
    Establishment.objects.bulk_create(
        [Establishment(code=f"univ-{i:02}", name=f"University {i:02}", kind="university") for i in range(30)]
    )
    cnrs = Establishment.objects.create(code="cnrs", name="CNRS", kind="research_organisation")
    for name in ("ann", "bob", "cat"):
        Membership.objects.create(user=user_factory(name), establishment=cnrs)
    for code in ("lab-a", "lab-b"):
        Laboratory.objects.create(code=code, name=code).establishments.add(cnrs)
    return cnrs


def names(response) -> list[str]:
    return re.findall(r'<td><a href="/tenancy/establishments/[\w-]+/">([^<]+)</a></td>', response.content.decode())


def rows(response) -> list[list[str]]:
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_25_a_page_by_name(client, operator, establishments):
    client.force_login(operator)
    first = names(client.get(LIST))
    assert len(first) == 25 and first[:2] == ["CNRS", "University 00"]
    assert names(client.get(LIST, {"page": 2})) == [f"University {i}" for i in range(24, 30)]


def test_the_counts_of_members_and_laboratories(client, operator, establishments):
    client.force_login(operator)
    [cnrs] = rows(client.get(LIST, {"q": "cnrs"}))
    assert cnrs[1:] == ["cnrs", "research organisation", "academic", "—", "2", "3"]


def test_a_member_sees_their_establishments_counted_without_the_members(client, establishments):
    member = Membership.objects.filter(establishment=establishments).first().user
    client.force_login(member)
    response = client.get(LIST)
    assert names(response) == ["CNRS"]
    assert rows(response)[0][-1] == "2"  # its laboratories, and no column of members
    assert "Members" not in response.content.decode().split("<tbody>")[0].split("<thead>")[1]


def test_sorted_by_a_count_and_by_name_both_ways(client, operator, establishments):
    client.force_login(operator)
    assert names(client.get(LIST, {"sort": "-members_count", "per_page": 1})) == ["CNRS"]
    assert names(client.get(LIST, {"sort": "-name", "per_page": 2})) == ["University 29", "University 28"]


@pytest.mark.parametrize("sort", ["memberships__user__username", "nonsense", "-"])
def test_a_sort_on_no_column_keeps_the_default_order(client, operator, establishments, sort):
    client.force_login(operator)
    response = client.get(LIST, {"sort": sort, "per_page": 2})
    assert response.status_code == 200 and names(response) == ["CNRS", "University 00"]


@pytest.mark.parametrize(("asked", "per_page"), [("10", 10), ("1000", 100), ("x", 25), ("-1", 25)])
def test_per_page_is_bounded(client, operator, establishments, asked, per_page):
    client.force_login(operator)
    assert client.get(LIST, {"per_page": asked}).context["table"].paginator.per_page == per_page


def test_filters_search_and_a_bad_kind(client, operator, establishments):
    client.force_login(operator)
    assert names(client.get(LIST, {"kind": "research_organisation"})) == ["CNRS"]
    assert names(client.get(LIST, {"q": "UNIV-2", "per_page": 3})) == [
        "University 20",
        "University 21",
        "University 22",
    ]
    bad = client.get(LIST, {"kind": "castle"})
    assert bad.status_code == 400 and list(bad.context["filter"].form.errors) == ["kind"]
    assert names(bad) == [] and "castle" in bad.content.decode()


def test_the_api_and_the_page_give_the_same_establishments(client, operator, establishments):
    client.force_login(operator)
    query = {"q": "university 1"}
    api = client.get(API, query, HTTP_ACCEPT="application/json").json()
    page = names(client.get(LIST, query))
    assert page == [f"University {i}" for i in range(10, 20)]
    assert sorted(e["name"] for e in api["results"]) == page
    assert [e["name"] for e in client.get(API, {"code": "cnrs"}).json()["results"]] == ["CNRS"]  # as before
    assert client.get(API, {"kind": "castle"}).status_code == 400
