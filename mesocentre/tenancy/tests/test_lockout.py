"""Repeated login failures lock out a (username, address) pair for a while, in the portal and in the admin."""

import base64
import datetime

import pytest
from django.test import Client

from mesocentre.core.testing import WORLD_NOW

LIMIT = 5
ADMIN_LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def users(user_factory, time_machine, settings):
    # The limit and cool-off stated here, whatever the environment of the run says.
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    time_machine.move_to(WORLD_NOW, tick=False)
    return {
        "alice": user_factory("alice"),
        "bob": user_factory("bob"),
        "operator": user_factory("operator", is_operator=True),
    }


def log_in(path: str, username: str, password: str, address: str = "198.51.100.7", **extra):
    client = Client(REMOTE_ADDR=address, **extra)
    return client.post(path, {"username": username, "password": password})


def fail(path: str, username: str, times: int = LIMIT, address: str = "198.51.100.7", **extra) -> None:
    for _ in range(times):
        response = log_in(path, username, "wrong", address, **extra)
        assert response.status_code in (200, 429), response.status_code  # the form again, or the lockout page


def test_the_portal_refuses_even_the_right_password_after_repeated_failures(users):
    assert log_in("/login/", "alice", "pw").status_code == 302  # the right password works at first
    fail("/login/", "alice", LIMIT - 1)
    assert log_in("/login/", "alice", "pw").status_code == 302  # fewer failures than the limit: still in
    fail("/login/", "alice")
    response = log_in("/login/", "alice", "pw")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed logins" in body and "15 minutes" in body
    assert 'class="site-header"' in body  # the portal's page, not axes' bare text
    assert "_auth_user_id" not in response.client.session


def test_the_lockout_page_speaks_french(users):
    fail("/login/", "alice")
    response = log_in("/login/", "alice", "pw", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Trop d’échecs de connexion" in body and "15 minutes" in body


def test_the_admin_login_is_locked_out_too(users):
    assert log_in(ADMIN_LOGIN, "operator", "pw").status_code == 302
    fail(ADMIN_LOGIN, "operator")
    response = log_in(ADMIN_LOGIN, "operator", "pw")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    # One lock for the account and address, whichever form was used.
    assert log_in("/login/", "operator", "pw").status_code == 429


def test_the_lock_is_per_user_and_address(users):
    fail("/login/", "alice")
    assert log_in("/login/", "alice", "pw").status_code == 429
    assert log_in("/login/", "bob", "pw").status_code == 302  # another user from the same address
    assert log_in("/login/", "alice", "pw", address="203.0.113.5").status_code == 302  # the user from elsewhere


def test_the_lock_lifts_after_the_cool_off(users, time_machine):
    fail("/login/", "alice")
    assert log_in("/login/", "alice", "pw").status_code == 429
    time_machine.move_to(WORLD_NOW + datetime.timedelta(minutes=14))
    assert log_in("/login/", "alice", "pw").status_code == 429  # still locked; and this try restarts the cool-off
    time_machine.move_to(WORLD_NOW + datetime.timedelta(minutes=14 + 16))
    assert log_in("/login/", "alice", "pw").status_code == 302


def test_x_forwarded_for_is_ignored_without_trusted_proxies(users):
    """Anyone can send the header: by default each failure counts for REMOTE_ADDR, whatever the header says."""
    for n in range(LIMIT):
        log_in("/login/", "alice", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert log_in("/login/", "alice", "pw", HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(users, settings):
    settings.MESOCENTRE = {**settings.MESOCENTRE, "TRUSTED_PROXY_COUNT": 1}
    proxy = "10.0.0.1"
    # The proxy appends the address it saw to whatever the client sent.
    fail("/login/", "alice", address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.9")
    locked = log_in("/login/", "alice", "pw", proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9")
    assert locked.status_code == 429  # what the client put in front of the header changes nothing
    other = log_in("/login/", "alice", "pw", proxy, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302  # another client behind the same proxy


def test_the_api_takes_no_password(users):
    """Tokens and the portal's session only: no password reaches the API, so there is nothing to guess there."""
    basic = base64.b64encode(b"alice:pw").decode()
    response = Client(HTTP_AUTHORIZATION=f"Basic {basic}").get("/api/tenancy/memberships/")
    assert response.status_code in (401, 403)
