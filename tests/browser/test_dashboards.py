"""The home page of the demo's operator, a PI, a reviewer and an establishment manager: their sections, and axe-core's
verdict on each, in both languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, normalise
from tests.browser.test_accessibility import LOCALES, blocking_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_home(page_factory, portal: str, username: str, language: str):
    page = page_factory(LOCALES[language])
    log_in(page, portal, username)  # signing in lands on the home page
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    return page


def accessible(page, who: str, language: str) -> None:
    found = blocking_violations(page, f"/ as {who} ({language})")
    assert not found, report(found)


@pytest.mark.parametrize("language", LOCALES)
def test_the_operators_desk(page_factory, portal, language):
    page = open_home(page_factory, portal, "operator", language)
    desk = page.locator("#operations")
    expect(desk.get_by_role("heading", level=2)).to_have_count(1)
    # The demo's allocations wait in the queue for a worker that reaches Slurm.
    pending = desk.locator(".queue-table tr[data-state=pending] td")
    assert int(normalise(pending.inner_text()).replace(" ", "").replace(",", "")) > 0
    expect(desk.locator(".waiting-table a[href*='/provisioning/operations/']").first).to_be_visible()
    expect(desk.locator("a[href*='/hpc/change-requests/']")).to_have_count(1)
    expect(page.locator("#dashboard-offer")).to_be_visible()  # the offer, one step away
    if language == "en":
        expect(desk.get_by_role("heading", level=3, name="The queue, by state")).to_be_visible()
        expect(desk).to_contain_text("No Slurm cluster named mesocentre is configured")
    accessible(page, "operator", language)


@pytest.mark.parametrize("language", LOCALES)
def test_a_pis_projects_and_hours(page_factory, portal, language):
    page = open_home(page_factory, portal, "pi-irit", language)
    projects = page.locator("#projects")
    row = projects.locator("tr[data-project='irit-hybrid-ai']")
    # 35 % of the 1 500 000 core-hours and half of the 15 000 GPU hours, used over the last four weeks.
    expect(row.locator("td.cpu meter")).to_have_attribute("value", "35")
    expect(row.locator("td.gpu meter")).to_have_attribute("value", "50")
    if language == "en":
        assert "525,000 of 1,500,000 (35%)" in normalise(row.locator("td.cpu").inner_text())
        expect(projects.locator(".requests-table")).to_contain_text("under review")
    else:
        assert "525 000" in normalise(row.locator("td.cpu").inner_text())
    expect(page.locator("#operations")).to_have_count(0)  # the queue is the operators'
    expect(page.locator("tr[data-project='imft-jets']")).to_have_count(0)  # another PI's project
    accessible(page, "pi-irit", language)


@pytest.mark.parametrize("language", LOCALES)
def test_a_reviewers_assignments(page_factory, portal, language):
    page = open_home(page_factory, portal, "reviewer-isae", language)
    reviews = page.locator("#reviews")
    expect(reviews.locator("a[href*='/review/']")).to_have_count(1)  # lpt-lattice; genphyse is reviewed
    expect(reviews.locator("tbody th")).to_contain_text("lpt-lattice")
    accessible(page, "reviewer-isae", language)


@pytest.mark.parametrize("language", LOCALES)
def test_an_establishment_managers_establishment(page_factory, portal, language):
    page = open_home(page_factory, portal, "manager-ut3", language)
    card = page.locator("#establishments article[data-establishment='ut3']")
    expect(card.get_by_role("heading", level=3)).to_be_visible()
    expect(card.locator("a[href$='/tenancy/establishments/ut3/']").first).to_be_visible()
    accessible(page, "manager-ut3", language)
