"""People join an establishment or a project by invitation, accepted or declined by the invitee; the inviter
learns nothing about who exists."""

import contextlib
import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mesocentre.tenancy import invitations
from mesocentre.tenancy.models import EstablishmentInvitation, Membership, User


@pytest.fixture
def univ(db, user_factory):
    from mesocentre.tenancy.models import Establishment

    establishment = Establishment.objects.create(code="univ", name="University", kind="university")
    boss = user_factory("boss", email="boss@example.org")
    Membership.objects.create(user=boss, establishment=establishment, role="manager")
    return establishment


@pytest.fixture
def sent(django_capture_on_commit_callbacks, deliver_mail):
    """Run what the block leaves for the commit, then deliver the e-mails it queued (as the worker would)."""

    @contextlib.contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        deliver_mail()

    return block


def boss_of(establishment):
    return establishment.memberships.get(role="manager").user


def link_in(mail) -> str:
    return re.search(r"https?://[^/\s]+(/tenancy/invitations/open/\S+/)", mail.body).group(1)


def test_an_invitation_by_email_lets_a_newcomer_create_their_account_and_join(univ, client, mailoutbox, sent):
    client.force_login(boss_of(univ))
    with sent():
        response = client.post(f"/tenancy/establishments/{univ.code}/", {"to": "ada@example.org", "role": "member"})
    assert response.status_code == 302
    assert not User.objects.filter(email="ada@example.org").exists(), "nobody joins before accepting"
    [mail] = mailoutbox
    assert mail.to == ["ada@example.org"] and "join University" in mail.body
    path = link_in(mail)
    client.logout()
    page = client.get(path).content.decode()
    assert "Create your account" in page and "Sign in to answer" in page
    client.post(path, {"action": "sign-up", "username": "ada", "first_name": "Ada", "last_name": "Lovelace",
                       "password": "a long enough passphrase"})  # fmt: skip
    ada = User.objects.get(username="ada")
    assert ada.email == "ada@example.org", "the address the link reached is the account's"
    assert Membership.objects.get(user=ada, establishment=univ).role == "member"
    assert EstablishmentInvitation.objects.get().status == "accepted"
    assert "not valid any more" in client.get(path).content.decode(), "a link works once"


def test_an_existing_user_invited_by_username_accepts_or_declines_from_their_page(
    univ, client, user_factory, mailoutbox, sent
):
    alice, bob = user_factory("alice", email="alice@example.org"), user_factory("bob", email="bob@example.org")
    link = lambda token: f"https://mesocentre.example.org/t/{token}/"  # noqa: E731
    with sent():
        first = invitations.invite(boss_of(univ), univ, "alice", link, role="manager")
        invitations.invite(boss_of(univ), univ, "bob", link, role="member")
    assert [m.to for m in mailoutbox] == [["alice@example.org"], ["bob@example.org"]]
    client.force_login(alice)
    assert "Join University as establishment manager" in client.get("/tenancy/invitations/").content.decode()
    client.post(reverse("tenancy:invitation_answer", args=["establishment", first.pk, "accept"]))
    assert Membership.objects.get(user=alice, establishment=univ).role == "manager"
    client.force_login(bob)
    [second] = invitations.pending_for(bob)
    client.post(reverse("tenancy:invitation_answer", args=["establishment", second.pk, "decline"]))
    assert not Membership.objects.filter(user=bob).exists()
    assert EstablishmentInvitation.objects.get(pk=second.pk).status == "declined"
    # Alice, a manager now, sees Bob's invitation but cannot answer it for him.
    client.force_login(alice)
    assert (
        client.post(reverse("tenancy:invitation_answer", args=["establishment", second.pk, "accept"])).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        invitations.answer(alice, EstablishmentInvitation.objects.get(pk=second.pk), accept=True)


def test_the_inviter_gets_the_same_answer_whether_the_person_exists_or_not(univ, api, user_factory):
    user_factory("alice", email="alice@example.org", first_name="Alice", last_name="Secret")
    api.force_authenticate(boss_of(univ))
    bodies = []
    for to in ("alice", "nobody-here", "alice@example.org", "nobody@example.org"):
        response = api.post("/api/tenancy/invitations/", {"establishment": univ.pk, "to": to, "role": "member"})
        assert response.status_code == 201
        body = response.json()
        assert body["addressed_to"] == to
        bodies.append({k: v for k, v in body.items() if k not in ("id", "addressed_to", "expires_at", "created")})
        assert "Secret" not in response.content.decode() and "invitee" not in body
    assert all(body == bodies[0] for body in bodies)
    listing = api.get("/api/tenancy/invitations/").content.decode()
    assert "Secret" not in listing and "Alice" not in listing


def test_an_expired_or_revoked_invitation_opens_nothing(univ, client, user_factory, mailoutbox, sent, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC), tick=False)
    alice = user_factory("alice", email="alice@example.org")
    link = lambda token: f"http://testserver/tenancy/invitations/open/{token}/"  # noqa: E731
    with sent():
        expired = invitations.invite(boss_of(univ), univ, "alice@example.org", link, role="member")
        revoked = invitations.invite(boss_of(univ), univ, "alice@example.org", link, role="member")
    invitations.revoke(boss_of(univ), revoked)
    time_machine.move_to(datetime.datetime(2026, 6, 30, 10, tzinfo=datetime.UTC), tick=False)
    client.force_login(alice)
    for mail in mailoutbox:
        path = link_in(mail)
        client.post(path, {"action": "accept"})
        assert "not valid any more" in client.get(path).content.decode()
    assert not Membership.objects.filter(user=alice).exists()
    assert expired.__class__.objects.get(pk=expired.pk).status == "pending", "expiry is read from the date"


def test_a_username_invitation_is_answered_by_that_account_only(univ, client, user_factory, mailoutbox, sent):
    user_factory("alice", email="alice@example.org")
    mallory = user_factory("mallory")
    link = lambda token: f"http://testserver/tenancy/invitations/open/{token}/"  # noqa: E731
    with sent():
        invitations.invite(boss_of(univ), univ, "alice", link, role="manager")
    client.force_login(mallory)
    response = client.post(link_in(mailoutbox[0]), {"action": "accept"})
    assert "addressed to another account" in response.content.decode()
    assert not Membership.objects.filter(user=mallory).exists()


def test_only_managers_invite(univ, user_factory):
    member = user_factory("member")
    Membership.objects.create(user=member, establishment=univ)
    with pytest.raises(PermissionDenied):
        invitations.invite(member, univ, "x@example.org", lambda t: t, role="manager")
    assert not EstablishmentInvitation.objects.exists()


@pytest.mark.parametrize("to", ["", "a" * 300, "not@an@address"])
def test_a_bad_invitee_is_refused_naming_the_field(univ, api, to):
    api.force_authenticate(boss_of(univ))
    response = api.post("/api/tenancy/invitations/", {"establishment": univ.pk, "to": to, "role": "member"})
    assert response.status_code == 400 and "to" in response.json()
    assert not EstablishmentInvitation.objects.exists()


def test_my_invitations_page_costs_the_same_for_one_invitation_or_many(univ, client, user_factory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mesocentre.tenancy.models import Establishment

    alice = user_factory("alice", email="alice@example.org")
    client.force_login(alice)

    def invite_to(code: str) -> None:
        other = Establishment.objects.create(code=code, name=code.upper(), kind="university")
        Membership.objects.create(user=boss_of(univ), establishment=other, role="manager")
        invitations.invite(boss_of(univ), other, "alice", lambda token: token, role="member")

    invite_to("first")
    with CaptureQueriesContext(connection) as one:
        assert "FIRST" in client.get("/tenancy/invitations/").content.decode()
    for n in range(5):
        invite_to(f"more{n}")
    with CaptureQueriesContext(connection) as six:
        assert "MORE4" in client.get("/tenancy/invitations/").content.decode()
    assert len(six) == len(one)
