"""Identities the clusters use belong to the platform: Unix logins, usernames, e-mail addresses, managers."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from mesocentre.tenancy import services
from mesocentre.tenancy.models import Establishment, Membership, User
from mesocentre.tenancy.validators import validate_unix_login


@pytest.mark.parametrize("login", ["root", "daemon", "slurm", "munge", "postgres", "www-data", "systemd-network"])
def test_a_system_accounts_name_is_never_a_unix_login(login):
    with pytest.raises(ValidationError) as excinfo:
        validate_unix_login(login)
    assert "system account" in excinfo.value.messages[0]


def test_users_do_not_set_their_own_login_username_or_activity_through_the_api(db, api, user_factory):
    alice = user_factory("alice", email="alice@example.org")
    api.force_authenticate(alice)
    response = api.patch(
        f"/api/tenancy/users/{alice.pk}/",
        {"unix_login": "root", "username": "admin", "is_active": False, "first_name": "Alice"},
        format="json",
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.unix_login, alice.username, alice.is_active, alice.first_name) == (None, "alice", True, "Alice")
    assert response.json()["unix_login"] is None


def test_operators_set_logins_and_a_system_name_is_refused_naming_the_field(db, api, user_factory):
    operator, alice = user_factory("op", is_operator=True), user_factory("alice")
    api.force_authenticate(operator)
    refused = api.patch(f"/api/tenancy/users/{alice.pk}/", {"unix_login": "root"}, format="json")
    assert refused.status_code == 400 and "unix_login" in refused.json()
    assert api.patch(f"/api/tenancy/users/{alice.pk}/", {"unix_login": "alice"}, format="json").status_code == 200
    alice.refresh_from_db()
    assert alice.unix_login == "alice"
    bob = user_factory("bob")
    taken = api.patch(f"/api/tenancy/users/{bob.pk}/", {"unix_login": "alice"}, format="json")
    assert taken.status_code == 400 and "unix_login" in taken.json(), "logins are unique"


def test_nobody_creates_accounts_through_the_api(db, api, user_factory):
    api.force_authenticate(user_factory("op", is_operator=True))
    assert api.post("/api/tenancy/users/", {"username": "new"}, format="json").status_code == 405
    assert not User.objects.filter(username="new").exists()


def test_a_username_does_not_change(db, user_factory):
    alice = user_factory("alice")
    alice.username = "admin"
    with pytest.raises(ValidationError) as excinfo:
        alice.full_clean()
    assert "username" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        alice.save()
    assert User.objects.filter(username="alice").exists()


def test_a_new_email_takes_effect_once_confirmed_from_the_new_address(
    db, api, user_factory, mailoutbox, client, deliver_mail
):
    alice = user_factory("alice", email="alice@example.org")
    api.force_authenticate(alice)
    response = api.patch(f"/api/tenancy/users/{alice.pk}/", {"email": "mallory@example.org"}, format="json")
    assert response.status_code == 200 and response.json()["email_pending"] == "mallory@example.org"
    alice.refresh_from_db()
    assert alice.email == "alice@example.org", "not before the new address confirms"
    deliver_mail()
    [mail] = mailoutbox
    assert mail.to == ["mallory@example.org"]
    link = re.search(r"https?://\S+/tenancy/account/email/(\S+)/", mail.body)
    path = f"/tenancy/account/email/{link.group(1)}/"
    assert client.get(path).status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@example.org", "following the link shows a button; the button confirms"
    client.post(path)
    alice.refresh_from_db()
    assert alice.email == "mallory@example.org"
    again = client.post(path, follow=True)
    assert "not valid any more" in again.content.decode(), "a link works once"


def test_a_tampered_confirmation_link_changes_nothing(db, client, user_factory):
    alice = user_factory("alice", email="alice@example.org")
    response = client.post("/tenancy/account/email/not-a-token/", follow=True)
    assert "not valid" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_an_address_already_taken_gets_the_same_answer_and_no_link(db, api, user_factory, mailoutbox, deliver_mail):
    alice = user_factory("alice", email="alice@example.org")
    user_factory("bob", email="bob@example.org")
    api.force_authenticate(alice)
    response = api.patch(f"/api/tenancy/users/{alice.pk}/", {"email": "bob@example.org"}, format="json")
    assert response.status_code == 200 and response.json()["email_pending"] == "bob@example.org"
    deliver_mail()
    [mail] = mailoutbox
    assert "/tenancy/account/email/" not in mail.body


# ---------------------------------------------------------------------------------------------- managers
@pytest.fixture
def establishment(db, user_factory):
    establishment = Establishment.objects.create(code="univ", name="University", kind="university")
    manager = user_factory("boss")
    Membership.objects.create(user=manager, establishment=establishment, role="manager")
    return establishment


def test_the_last_manager_is_not_demoted_by_a_patch(establishment, api):
    membership = Membership.objects.get(establishment=establishment)
    api.force_authenticate(membership.user)
    response = api.patch(f"/api/tenancy/memberships/{membership.pk}/", {"role": "member"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_the_last_manager_is_not_demoted_by_the_add_member_form_nor_deleted_in_bulk(establishment, client):
    manager = Membership.objects.get(establishment=establishment).user
    with pytest.raises(ValidationError):
        services.add_member(manager, establishment, manager, role="member")
    with pytest.raises(ValidationError), transaction.atomic():  # a deletion's own transaction does not savepoint
        Membership.objects.filter(establishment=establishment).delete()
    assert Membership.objects.get(establishment=establishment).role == "manager"


def test_with_a_second_manager_the_first_may_step_down(establishment, user_factory):
    first = Membership.objects.get(establishment=establishment)
    Membership.objects.create(user=user_factory("deputy"), establishment=establishment, role="manager")
    first.role = "member"
    first.save()
    assert Membership.objects.filter(establishment=establishment, role="manager").count() == 1
    with pytest.raises(ValidationError), transaction.atomic():
        Membership.objects.filter(establishment=establishment, role="manager").delete()


def test_deleting_the_establishment_takes_its_memberships(establishment):
    establishment.delete()
    assert not Membership.objects.exists()


def test_a_membership_is_never_moved_to_another_user_or_establishment(establishment, api, user_factory):
    from mesocentre.tenancy.models import Establishment

    other = Establishment.objects.create(code="other", name="Other", kind="university")
    stranger = user_factory("stranger")
    deputy = Membership.objects.create(user=user_factory("deputy"), establishment=establishment)
    api.force_authenticate(Membership.objects.get(establishment=establishment, role="manager").user)
    path = f"/api/tenancy/memberships/{deputy.pk}/"
    response = api.patch(path, {"user": stranger.pk, "establishment": other.pk, "role": "manager"}, format="json")
    assert response.status_code == 200
    deputy.refresh_from_db()
    assert (deputy.user.username, deputy.establishment, deputy.role) == ("deputy", establishment, "manager")
    assert not Membership.objects.filter(user=stranger).exists()
