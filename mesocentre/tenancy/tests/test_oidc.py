"""Signing in through the identity provider: matched by its subject, the Unix login from its claim."""

import pytest

from mesocentre.tenancy.models import User
from mesocentre.tenancy.oidc import MesocentreOIDCBackend


@pytest.fixture
def backend(settings):
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "mesocentre", "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.org/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example.org/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example.org/certs"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.MESOCENTRE_OIDC_UNIX_LOGIN_CLAIM = "uid"
    return MesocentreOIDCBackend()


def test_a_preferred_username_equal_to_someones_username_does_not_open_their_account(db, backend, user_factory):
    user_factory("operator", is_operator=True, email="odile@example.org")
    claims = {"sub": "idp-123", "preferred_username": "operator", "email": "mallory@example.org"}
    assert not backend.filter_users_by_claims(claims).exists()
    created = backend.create_user(claims)
    assert created.username != "operator" and created.oidc_subject == "idp-123" and not created.is_operator
    assert list(backend.filter_users_by_claims(claims)) == [created], "the subject finds them next time"


def test_an_existing_account_is_linked_once_by_a_verified_address_only(db, backend, user_factory):
    alice = user_factory("alice", email="alice@example.org")
    unverified = {"sub": "idp-1", "email": "alice@example.org"}
    assert not backend.filter_users_by_claims(unverified).exists()
    verified = {**unverified, "email_verified": True}
    assert list(backend.filter_users_by_claims(verified)) == [alice]
    backend.update_user(alice, verified)
    alice.refresh_from_db()
    assert alice.oidc_subject == "idp-1"
    assert not backend.filter_users_by_claims({"sub": "idp-2", "email": "alice@example.org", "email_verified": True})


def test_the_unix_login_comes_from_the_providers_claim_and_never_a_system_name(db, backend):
    user = backend.create_user({"sub": "idp-7", "preferred_username": "bob", "uid": "bdupont"})
    assert user.unix_login == "bdupont"
    backend.update_user(user, {"sub": "idp-7", "uid": "root"})
    user.refresh_from_db()
    assert user.unix_login == "bdupont", "a system account's name is refused, the old login kept"
    other = backend.create_user({"sub": "idp-8", "preferred_username": "carl", "uid": "bdupont"})
    assert other.unix_login is None, "a login already another user's is not given twice"
    assert User.objects.filter(unix_login="bdupont").count() == 1
