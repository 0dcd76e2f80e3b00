"""The invitee's invitations page: a table for each kind, each filtered, sorted and paged on its own."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mesocentre.core.tokens import token_digest
from mesocentre.tenancy.invitation_models import EstablishmentInvitation
from mesocentre.tenancy.models import Establishment, Membership, User

LIST = reverse("tenancy:invitation_list")


@pytest.fixture
def invited(db, user_factory):
    """Eve, invited to 30 establishments e00…e29 (by boss00…boss29, older first), and to nothing else."""
    eve = user_factory("eve")
    establishments = Establishment.objects.bulk_create(
        [Establishment(code=f"e{i:02}", name=f"Establishment {i:02}", kind="university") for i in range(30)]
    )
    bosses = User.objects.bulk_create([User(username=f"boss{i:02}", unix_login=f"boss{i:02}") for i in range(30)])
    now = timezone.now()
    for i, (establishment, boss) in enumerate(zip(establishments, bosses, strict=True)):
        Membership.objects.create(user=boss, establishment=establishment, role="manager")
        invitation = EstablishmentInvitation.objects.create(
            establishment=establishment,
            invited_by=boss,
            invitee=eve,
            username="eve",
            role="manager" if i == 7 else "member",
            token_digest=token_digest(f"token-{i}"),
            expires_at=now + datetime.timedelta(days=14),
        )
        EstablishmentInvitation.objects.filter(pk=invitation.pk).update(created=now - datetime.timedelta(hours=30 - i))
    return eve


def targets(response) -> list[str]:
    return re.findall(r"<td>Join (Establishment \d+) as", response.content.decode())


def test_25_a_page_newest_first_by_its_own_page_parameter(client, invited):
    client.force_login(invited)
    first = client.get(LIST)
    assert first.status_code == 200
    assert targets(first)[:2] == ["Establishment 29", "Establishment 28"] and len(targets(first)) == 25
    assert "Invitations to establishments" in first.content.decode()
    assert 'href="?establishment-page=2"' in first.content.decode()
    assert targets(client.get(LIST, {"establishment-page": 2})) == [f"Establishment {i:02}" for i in range(4, -1, -1)]
    assert "Invitations to projects" not in first.content.decode()  # none waiting: the kind says nothing


def test_each_invitation_keeps_its_accept_and_decline_buttons(client, invited):
    client.force_login(invited)
    body = client.get(LIST, {"establishment-q": "boss07"}).content.decode()
    invitation = EstablishmentInvitation.objects.get(invited_by__username="boss07")
    accept = reverse("tenancy:invitation_answer", args=["establishment", invitation.pk, "accept"])
    decline = reverse("tenancy:invitation_answer", args=["establishment", invitation.pk, "decline"])
    assert f'action="{accept}"' in body and f'action="{decline}"' in body
    assert 'data-confirm="Decline this invitation? The link stops working."' in body
    assert client.post(accept).status_code == 302
    assert Membership.objects.get(user=invited, establishment__code="e07").role == "manager"


def test_sorted_by_sender_both_ways_and_per_page_bounded(client, invited):
    client.force_login(invited)
    by_sender = client.get(LIST, {"establishment-sort": "invited_by", "establishment-per_page": 2})
    assert targets(by_sender) == ["Establishment 00", "Establishment 01"]
    assert targets(client.get(LIST, {"establishment-sort": "-invitation", "establishment-per_page": 1})) == [
        "Establishment 29"
    ]
    bounded = client.get(LIST, {"establishment-per_page": 5000})
    assert bounded.context["kinds"][0]["table"].paginator.per_page == 100


@pytest.mark.parametrize("sort", ["token_digest", "nonsense"])
def test_a_sort_on_no_column_keeps_the_default_order(client, invited, sort):
    client.force_login(invited)
    response = client.get(LIST, {"establishment-sort": sort, "establishment-per_page": 1})
    assert response.status_code == 200 and targets(response) == ["Establishment 29"]


def test_filtered_by_role_and_searched_by_sender(client, invited):
    client.force_login(invited)
    assert targets(client.get(LIST, {"establishment-role": "manager"})) == ["Establishment 07"]
    assert targets(client.get(LIST, {"establishment-q": "BOSS2"})) == [f"Establishment {i}" for i in range(29, 19, -1)]
    nothing = client.get(LIST, {"establishment-q": "nobody"})
    assert targets(nothing) == [] and "No invitation of this kind matches." in nothing.content.decode()


def test_a_bad_role_is_a_400_naming_the_field(client, invited):
    client.force_login(invited)
    response = client.get(LIST, {"establishment-role": "queen"})
    assert response.status_code == 400
    [kind] = [k for k in response.context["kinds"] if k["table"] is None]
    assert list(kind["filter"].form.errors) == ["role"]
    assert "queen" in response.content.decode() and targets(response) == []


def test_someone_with_no_invitation_is_told_so(client, invited, user_factory):
    client.force_login(user_factory("nobody"))
    assert "No invitation is waiting for you." in client.get(LIST).content.decode()


def test_the_api_takes_the_same_filters(client, invited):
    client.force_login(invited)
    api = reverse("tenancy-api:establishmentinvitation-list")
    assert [i["role"] for i in client.get(api, {"role": "manager"}).json()["results"]] == ["manager"]
    assert client.get(api, {"q": "boss2"}).json()["count"] == 10
    # As before: its establishment (one the caller sees: its manager) and its status.
    e07 = Establishment.objects.get(code="e07")
    assert client.get(api, {"establishment": e07.pk}).status_code == 400  # not one of Eve's
    client.force_login(User.objects.get(username="boss07"))
    assert client.get(api, {"establishment": e07.pk, "status": "pending"}).json()["count"] == 1
    assert client.get(api, {"establishment": e07.pk, "status": "accepted"}).json()["count"] == 0
    assert client.get(api, {"role": "queen"}).status_code == 400


def test_a_bad_hidden_filter_is_named_on_the_page(client, invited):
    client.force_login(invited)
    response = client.get(LIST, {"establishment-establishment": 999999})
    assert response.status_code == 400
    assert '<div class="errors">Establishment:' in response.content.decode()
