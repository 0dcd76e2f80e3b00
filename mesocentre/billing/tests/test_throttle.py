"""The public calculator's anonymous throttle: per client address as the trusted proxies give it, in a shared cache."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection

from mesocentre.billing.api.views import QuoteThrottle
from mesocentre.core.network import client_ip

URL = "/api/billing/quote/"
EMPTY = {"items": []}  # a 400, cheap: the throttle counts before the basket is validated


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(QuoteThrottle, "rate", "3/minute")


@pytest.fixture
def proxies(settings):
    def trust(count: int) -> None:
        settings.MESOCENTRE = {**settings.MESOCENTRE, "TRUSTED_PROXY_COUNT": count}

    return trust


def post(api, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return api.post(URL, EMPTY, format="json", REMOTE_ADDR="192.0.2.7", **extra)


def test_a_forged_forwarded_for_does_not_reset_the_throttle(db, api, three_a_minute, proxies):
    proxies(0)
    assert [post(api, f"203.0.113.{n}").status_code for n in range(3)] == [400, 400, 400]
    assert post(api, "198.51.100.1").status_code == 429
    assert post(api).status_code == 429


def test_behind_one_trusted_proxy_the_client_is_the_last_hop(db, api, three_a_minute, proxies):
    proxies(1)
    # What the client wrote before the proxy's own entry changes nothing: it is the same client.
    assert [post(api, f"203.0.113.{n}, 198.51.100.1").status_code for n in range(3)] == [400, 400, 400]
    assert post(api, "203.0.113.99, 198.51.100.1").status_code == 429
    assert post(api, "198.51.100.2").status_code == 400  # another client, by the proxy's word


def test_the_throttle_and_the_login_lockout_count_by_the_same_address(rf, proxies):
    from django.utils.module_loading import import_string

    proxies(1)
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert import_string(django_settings.AXES_CLIENT_IP_CALLABLE) is client_ip
    assert QuoteThrottle().get_ident(request) == client_ip(request) == "198.51.100.1"
    # DRF's own throttles, should one be used, read the same count of proxies from the same variable.
    from mesocentre import settings as conf

    assert conf.REST_FRAMEWORK["NUM_PROXIES"] is conf.MESOCENTRE["TRUSTED_PROXY_COUNT"] is conf.TRUSTED_PROXY_COUNT


def test_the_throttle_keeps_its_counts_in_the_shared_database_cache():
    # Django's default cache (DRF's throttles use it), which is the database's table, not a process's memory.
    assert QuoteThrottle.cache is cache
    assert isinstance(caches["default"], DatabaseCache)


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_same_throttle_count(api, three_a_minute):
    try:
        assert [post(api).status_code for _ in range(2)] == [400, 400]
        db = connection.settings_dict
        url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        script = (
            "import django; django.setup(); from django.core.cache import cache; "
            "print(len(cache.get('throttle_quote_192.0.2.7')))"
        )
        env = {**os.environ, "MESOCENTRE_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "mesocentre.settings"}
        seen = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
        assert seen.stdout.strip() == "2"
    finally:
        cache.clear()  # the cache's table is no model's, so the transactional test's flush leaves it
