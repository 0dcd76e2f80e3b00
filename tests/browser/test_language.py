"""The header's language switch: the choice sticks across pages."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_choice_of_french_persists(page_factory, portal):
    page = page_factory("en-GB")
    page.goto(f"{portal}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".site-header").get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(f"{portal}/")  # back where the visitor was
    page.locator(".site-header").get_by_role("link", name="Catalogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des services")
    expect(page).to_have_title("Catalogue · Mesocentre")
    # The browser still asks for English, but the choice wins; and the way back is offered in English.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des services")
    page.locator(".site-header").get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service catalogue")


def test_the_choice_survives_logging_in(page_factory, portal):
    page = page_factory("en-GB")
    page.goto(f"{portal}/login/")
    page.locator(".site-header").get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    log_in(page, portal, "manager-ut3")
    page.goto(f"{portal}/tenancy/establishments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Établissements")
    expect(page.locator("main table")).to_contain_text("Université Toulouse III – Paul Sabatier")
