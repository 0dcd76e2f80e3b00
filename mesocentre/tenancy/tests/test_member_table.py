"""An establishment's members on its page: a table of 25 a page, sorted, filtered by role, searched, and the
managers' remove buttons."""

import re

import pytest
from django.urls import reverse

from mesocentre.tenancy.models import Establishment, Membership, User


@pytest.fixture
def univ(db, user_factory):
    """An establishment with its manager "boss" and 30 members m00…m29 (first name "Member", last name 00…)."""
    establishment = Establishment.objects.create(code="univ", name="University", kind="university")
    Membership.objects.create(user=user_factory("boss"), establishment=establishment, role="manager")
    users = User.objects.bulk_create(
        [
            User(username=f"m{i:02}", first_name="Member", last_name=f"{i:02}", email=f"m{i:02}@univ.fr")
            for i in range(30)
        ]
    )
    Membership.objects.bulk_create([Membership(user=u, establishment=establishment) for u in users])
    return establishment


def page_of(client, who: str, **query):
    client.force_login(User.objects.get(username=who))
    return client.get(reverse("tenancy:establishment_detail", args=["univ"]), query)


def usernames(response) -> list[str]:
    body = response.content.decode().split("<tbody>")
    return re.findall(r"<tr><td>([\w-]+)</td>", body[1]) if len(body) > 1 else []


def test_25_a_page_by_username_and_the_rest_on_page_2(client, univ):
    first = page_of(client, "boss")
    assert first.status_code == 200
    assert usernames(first)[:2] == ["boss", "m00"] and len(usernames(first)) == 25
    assert usernames(page_of(client, "boss", page=2)) == [f"m{i}" for i in range(24, 30)]


@pytest.mark.parametrize(("asked", "per_page"), [("5", 5), ("500", 100), ("many", 25)])
def test_per_page_is_bounded(client, univ, asked, per_page):
    assert page_of(client, "boss", per_page=asked).context["members"].table.paginator.per_page == per_page


def test_sorted_by_name_both_ways(client, univ):
    assert usernames(page_of(client, "boss", sort="-name", per_page=2)) == ["m29", "m28"]
    assert usernames(page_of(client, "boss", sort="-username", per_page=1)) == ["m29"]


@pytest.mark.parametrize("sort", ["user__password", "nonsense"])
def test_a_sort_on_no_column_keeps_the_default_order(client, univ, sort):
    response = page_of(client, "boss", sort=sort, per_page=2)
    assert response.status_code == 200 and usernames(response) == ["boss", "m00"]


def test_filtered_by_role_and_searched(client, univ):
    assert usernames(page_of(client, "boss", role="manager")) == ["boss"]
    assert usernames(page_of(client, "boss", q="0@UNIV")) == ["m00", "m10", "m20"]  # the e-mail
    assert usernames(page_of(client, "boss", q="member 0", per_page=3)) == []  # first and last names apart
    assert usernames(page_of(client, "boss", q="Member", per_page=3)) == ["m00", "m01", "m02"]


def test_a_bad_role_is_a_400_naming_the_field(client, univ):
    response = page_of(client, "boss", role="king")
    assert response.status_code == 400
    assert list(response.context["members"].filter.form.errors) == ["role"]
    assert usernames(response) == [] and "king" in response.content.decode()


def test_a_manager_has_a_remove_button_that_asks_first(client, univ):
    body = page_of(client, "boss", q="m07").content.decode()
    membership = Membership.objects.get(user__username="m07")
    action = reverse("tenancy:membership_delete", args=[membership.pk])
    assert f'<form method="post" action="{action}" data-confirm="Remove m07 from the establishment?">' in body
    assert 'name="csrfmiddlewaretoken"' in body and 'class="danger"' in body


def test_a_member_sees_themself_without_buttons(client, univ):
    response = page_of(client, "m03")
    assert usernames(response) == ["m03"]
    assert "membership_delete" not in response.content.decode() and 'class="danger"' not in response.content.decode()


def test_the_api_takes_the_same_filters(client, univ):
    client.force_login(User.objects.get(username="boss"))
    api = reverse("tenancy-api:membership-list")
    found = client.get(api, {"establishment": univ.pk, "q": "m2"}).json()["results"]
    assert len(found) == 10
    assert client.get(api, {"role": "manager"}).json()["count"] == 1
    assert client.get(api, {"role": "king"}).status_code == 400


def test_the_members_filter_and_the_invitation_form_each_label_their_own_fields(client, univ):
    """Both have a "Role": one id for each, so that each label names its own field (a screen reader, a click on
    the label and the tests find the right one)."""
    body = page_of(client, "boss").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for target in re.findall(r'<label for="([^"]+)"', body):
        assert target in ids
    assert 'for="invite_role"' in body and 'for="id_role"' in body
