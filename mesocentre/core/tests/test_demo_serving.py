"""`mesocentre demo` serves the portal as visitors should see it: no debug pages, static files and the icon served."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from mesocentre.core.management.commands import demo as demo_command


def probe() -> dict:
    """What a browser gets from the server as it is configured now: a page that does not exist, the stylesheet,
    the chart's library and the icon browsers ask for."""
    client = Client()
    missing = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    css = client.get("/static/portal/mesocentre.css")
    chartjs = client.get("/static/metering/vendor/chartjs/chart.umd.min.js")
    icon = client.get("/favicon.ico", follow=True)
    return {
        "debug": settings.DEBUG,
        "missing": (missing.status_code, missing.content.decode()),
        "css": (css.status_code, b"".join(css.streaming_content)),
        "chartjs": chartjs.status_code,
        "icon": (icon.status_code, b"".join(icon.streaming_content), icon.redirect_chain),
        "hosts": list(settings.ALLOWED_HOSTS),
    }


@pytest.fixture
def served(db, settings, monkeypatch):
    """Runs `mesocentre demo --addr …` as mesocentre.settings has it (DEBUG on), with runserver replaced by a probe
    of the configuration it would serve with, and the demo's loading left out (its own tests cover it)."""
    settings.DEBUG = settings.WHITENOISE_AUTOREFRESH = True
    seen = {}

    def command(name, *args, **options):
        if name == "runserver":
            seen.update(addr=args[0], **probe())

    monkeypatch.setattr(demo_command, "call_command", command)
    monkeypatch.setattr(demo_command, "load_demo", lambda out: None)

    def run(*argv):
        call_command("demo", *argv)
        return seen

    return run


def test_the_demo_server_shows_no_debug_page_and_serves_static_files(served):
    seen = served("--addr", "127.0.0.1:8123")
    assert seen["addr"] == "127.0.0.1:8123" and seen["debug"] is False
    status, page = seen["missing"]
    assert status == 404 and "Using the URLconf" not in page and "mesocentre.urls" not in page
    assert '<html lang="en">' in page  # the portal's own 404 page
    status, css = seen["css"]
    assert status == 200 and b".site-header" in css
    assert seen["chartjs"] == 200
    status, icon, chain = seen["icon"]
    assert status == 200 and icon.startswith(b"<svg") and chain[0][0].endswith("/static/portal/favicon.svg")
    assert {"localhost", "127.0.0.1"} <= set(seen["hosts"])
    assert settings.DEBUG is True  # only the server ran without it


def test_with_debug_the_same_404_would_list_the_url_patterns(db, settings):
    """The probe tells the two apart: this is what visitors of the demo saw before."""
    settings.DEBUG = True
    status, page = probe()["missing"]
    assert status == 404 and "Using the URLconf" in page


def test_the_host_of_the_address_is_allowed(served):
    assert "192.0.2.7" in served("--addr", "192.0.2.7:8000")["hosts"]
    assert "0.0.0.0" not in served("--addr", "0.0.0.0:8000")["hosts"]
