"""Helpers of the browser tests: a live server with the demo data, a real login, axe-core's verdict."""

import pytest

DEMO_PASSWORD = "demo"
# Intl.NumberFormat puts a narrow no-break space (fr) or a no-break space before the euro sign and between thousands.
SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def normalise(text: str) -> str:
    return " ".join(text.translate(SPACES).split())


@pytest.fixture
def portal(live_server, demo):
    """The live server's root URL, with the demo data loaded."""
    return live_server.url


def log_in(page, portal: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real form, as a person would."""
    page.goto(f"{portal}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{portal}/")
    assert page.locator(".header-tools a[href$='/tenancy/account/']").count() == 1, "the login did not succeed"
