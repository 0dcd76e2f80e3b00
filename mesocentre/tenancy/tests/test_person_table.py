"""The operators' list of people: who belongs where, who accepted the charter, who is active; the users API's
FilterSet."""

import datetime
import re

import pytest
from django.urls import reverse

from mesocentre.tenancy.models import Establishment, Membership, User

LIST = reverse("tenancy:person_list")
API = reverse("tenancy-api:user-list")
ACCEPTED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def operator(user_factory):
    return user_factory("aaa-olga", is_operator=True, first_name="Olga", last_name="Zed")


@pytest.fixture
def people(db, operator):
    """30 people p00…p29 (Person 00…), the odd ones of the university, every third also of the CNRS; p05 has left
    (inactive), the first ten accepted the charter."""
    univ = Establishment.objects.create(code="univ", name="University", kind="university")
    cnrs = Establishment.objects.create(code="cnrs", name="CNRS", kind="research_organisation")
    users = User.objects.bulk_create(
        [
            User(
                username=f"p{i:02}",
                first_name="Person",
                last_name=f"{i:02}",
                email=f"p{i:02}@lab.fr",
                unix_login=f"p{i:02}",
                is_active=i != 5,
                charter_accepted_at=ACCEPTED if i < 10 else None,
            )
            for i in range(30)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, establishment=univ) for i, u in enumerate(users) if i % 2]
        + [Membership(user=u, establishment=cnrs) for i, u in enumerate(users) if i % 3 == 0]
    )
    return univ, cnrs


def rows(response) -> list[list[str]]:
    if "<tbody>" not in response.content.decode():
        return []  # no table: the filters are not valid
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def usernames(response) -> list[str]:
    return [row[0] for row in rows(response) if len(row) > 1]


def get(client, operator, **query):
    client.force_login(operator)
    return client.get(LIST, query)


def test_the_columns_and_25_a_page(client, operator, people):
    first = get(client, operator)
    assert first.status_code == 200
    assert usernames(first)[:3] == ["aaa-olga", "p00", "p01"] and len(usernames(first)) == 25
    p03 = next(row for row in rows(first) if row[0] == "p03")
    assert p03[1:3] == ["Person 03", "p03@lab.fr"]
    assert p03[3] == "CNRS, University"  # its establishments, by name
    assert p03[4:] == ["—", "2 Mar 2026", "yes"]
    assert usernames(get(client, operator, page=2)) == [f"p{i}" for i in range(24, 30)]


def test_filtered_by_establishment_active_and_charter(client, operator, people):
    univ, cnrs = people
    assert usernames(get(client, operator, establishment=cnrs.pk, per_page=3)) == ["p00", "p03", "p06"]
    assert usernames(get(client, operator, is_active="false")) == ["p05"]
    accepted = usernames(get(client, operator, charter_accepted="true", establishment=univ.pk))
    assert accepted == ["p01", "p03", "p05", "p07", "p09"]
    assert len(usernames(get(client, operator, charter_accepted="false"))) == 21  # 20 people and the operator


def test_searched_by_username_name_and_email(client, operator, people):
    assert usernames(get(client, operator, q="OLGA")) == ["aaa-olga"]
    assert usernames(get(client, operator, q="zed")) == ["aaa-olga"]  # the last name
    assert usernames(get(client, operator, q="7@LAB")) == ["p07", "p17", "p27"]


def test_sorted_by_name_and_last_login_both_ways(client, operator, people):
    assert usernames(get(client, operator, sort="-name", per_page=2)) == ["aaa-olga", "p29"]
    assert usernames(get(client, operator, sort="name", per_page=2)) == ["p00", "p01"]
    assert get(client, operator, sort="-username").content.decode().count("aria-sort") == 1


@pytest.mark.parametrize("sort", ["password", "memberships__establishment__name", "-"])
def test_a_sort_on_no_column_keeps_the_default_order(client, operator, people, sort):
    response = get(client, operator, sort=sort, per_page=2)
    assert response.status_code == 200 and usernames(response) == ["aaa-olga", "p00"]


@pytest.mark.parametrize(("asked", "per_page"), [("4", 4), ("1000", 100), ("?", 25)])
def test_per_page_is_bounded(client, operator, people, asked, per_page):
    assert get(client, operator, per_page=asked).context["table"].paginator.per_page == per_page


@pytest.mark.parametrize(
    ("field", "value"), [("is_active", "maybe"), ("charter_accepted", "1"), ("establishment", "0")]
)
def test_a_bad_filter_is_a_400_naming_the_field(client, operator, people, field, value):
    response = get(client, operator, **{field: value})
    assert response.status_code == 400
    assert list(response.context["filter"].form.errors) == [field]
    assert usernames(response) == []
    assert client.get(API, {field: value}).status_code == 400


def test_the_api_and_the_page_give_the_same_people(client, operator, people):
    univ, _ = people
    query = {"establishment": univ.pk, "is_active": "true", "q": "p1"}
    page = usernames(get(client, operator, **query))
    assert page == ["p11", "p13", "p15", "p17", "p19"]
    assert [u["username"] for u in client.get(API, query).json()["results"]] == page
    assert [u["username"] for u in client.get(API, {"unix_login": "p04"}).json()["results"]] == ["p04"]  # as before


def test_the_list_is_the_operators_and_linked_from_their_establishment_list(client, operator, people):
    establishments = reverse("tenancy:establishment_list")
    client.force_login(User.objects.get(username="p01"))
    assert client.get(LIST).status_code == 403
    assert f'href="{LIST}"' not in client.get(establishments).content.decode()
    client.logout()
    assert client.get(LIST).status_code == 302  # to the login page
    client.force_login(operator)
    assert f'<li><a href="{LIST}">People</a></li>' in client.get(establishments).content.decode()
    # In the navigation, the people are the establishments' part.
    assert (
        f'<a href="{establishments}" aria-current="true">Establishments</a>' in get(client, operator).content.decode()
    )
