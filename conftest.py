"""Fixtures shared by every app's tests."""

import os
import shutil
import socket

import pytest
from rest_framework.test import APIClient

# The lanes, the clock and the shared demo (the `demo` fixture); the real Slurm of the session (started once, on
# first use, by scripts/slurm.sh), for every app's tests.
pytest_plugins = [
    "mesocentre.core.testing",
    "mesocentre.provisioning.testing",
    "mesocentre.provisioning.slurm.testing",
    "pytester",
]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def user_factory(db):
    from mesocentre.tenancy.models import User

    def make(username: str, **fields):
        user = User.objects.create(username=username, **fields)
        user.set_password("pw")
        user.save()
        return user

    return make


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server in-process (aiosmtpd); Django's SMTP backend sends to it. Yields the received messages."""
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(message_from_bytes(envelope.original_content))
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks its own port at start, so it needs a real one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield received
    controller.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("MESOCENTRE_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is needed for the browser tests: run scripts/test.sh, which installs it.")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser):
    """New pages in a fresh context with the given locale; closed at the end of the test."""
    contexts = []

    def make(locale: str = "en-GB"):
        context = browser.new_context(locale=locale)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
