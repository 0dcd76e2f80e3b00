"""/metrics is not public: listed addresses (behind the trusted proxies), the bearer token and operators only."""

import pytest

pytestmark = pytest.mark.django_db

TOKEN = "t" * 40


@pytest.fixture
def metrics_config(settings):
    def configure(allowed=(), token="", proxies=0):
        settings.MESOCENTRE = {
            **settings.MESOCENTRE,
            "METRICS_ALLOWED": list(allowed),
            "METRICS_TOKEN": token,
            "TRUSTED_PROXY_COUNT": proxies,
        }

    return configure


def status(client, address="192.0.2.10", **headers) -> int:
    return client.get("/metrics", REMOTE_ADDR=address, headers=headers).status_code


def test_development_default_lets_the_loopback_in_only(client):
    assert status(client, "127.0.0.1") == 200
    assert status(client, "::1") == 200
    assert status(client, "192.0.2.10") == 403


def test_listed_addresses_and_networks_may_read(client, metrics_config):
    metrics_config(allowed=["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"])
    assert status(client, "10.20.30.40") == 200
    assert status(client, "2001:db8::5") == 200
    assert status(client, "192.0.2.7") == 200
    assert status(client, "::ffff:10.1.1.1") == 200  # an IPv4 client of a dual-stack server
    assert status(client, "192.0.2.8") == 403
    assert status(client, "127.0.0.1") == 403  # not listed: the loopback is the development default only


def test_the_bearer_token_opens_it_from_anywhere(client, metrics_config):
    metrics_config(token=TOKEN)
    assert status(client, Authorization=f"Bearer {TOKEN}") == 200
    assert status(client, Authorization=f"bearer {TOKEN}") == 200
    assert status(client, Authorization=f"Bearer {TOKEN}x") == 403
    assert status(client, Authorization=f"Token {TOKEN}") == 403
    assert status(client) == 403


def test_no_token_configured_means_no_token_accepted(client, metrics_config):
    metrics_config(token="")
    assert status(client, Authorization="Bearer ") == 403
    assert status(client, Authorization="Bearer") == 403


def test_behind_trusted_proxies_the_client_is_the_address_the_outermost_proxy_saw(client, metrics_config):
    # The proxy runs on the portal's host: every visitor arrives from the loopback, which is not what is listed.
    metrics_config(allowed=["10.0.0.0/8"], proxies=1)
    assert status(client, "127.0.0.1", **{"X-Forwarded-For": "10.0.0.5"}) == 200
    assert status(client, "127.0.0.1", **{"X-Forwarded-For": "192.0.2.99"}) == 403
    # What the client wrote before the proxy's own entry is not believed.
    assert status(client, "127.0.0.1", **{"X-Forwarded-For": "10.0.0.5, 192.0.2.99"}) == 403


def test_a_listed_loopback_behind_a_proxy_does_not_open_it_to_visitors(client, metrics_config):
    metrics_config(allowed=["127.0.0.1"], proxies=1)
    assert status(client, "127.0.0.1", **{"X-Forwarded-For": "198.51.100.1"}) == 403


def test_operators_signed_in_may_read_others_may_not(client, metrics_config, user_factory):
    metrics_config()
    client.force_login(user_factory("olga", is_operator=True))
    assert status(client) == 200
    client.force_login(user_factory("rachid"))
    assert status(client) == 403


def test_the_refusal_says_nothing_of_the_metrics(client, metrics_config):
    metrics_config()
    response = client.get("/metrics", REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 403 and b"mesocentre_" not in response.content and b"django_" not in response.content
