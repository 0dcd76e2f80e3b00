"""What cannot be undone asks first, and looks different from the main action: dismissing the question changes
nothing, accepting it does the action."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_removing_a_member_asks_first_and_looks_like_a_danger(page_factory, portal):
    from mesocentre.projects.models import ProjectMembership

    page = page_factory("en-GB")
    log_in(page, portal, "pi-irit")
    page.goto(f"{portal}/projects/irit-hybrid-ai/")
    remove = page.get_by_role("button", name="Remove member-irit")
    main = page.get_by_role("button", name="Invite", exact=True)
    # The danger style is not the main action's: another colour, a border.
    colours = [
        b.evaluate("e => getComputedStyle(e).backgroundColor + getComputedStyle(e).color") for b in (remove, main)
    ]
    assert colours[0] != colours[1]
    assert "danger" in (remove.get_attribute("class") or "")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    remove.click()
    expect(page.get_by_role("button", name="Remove member-irit")).to_be_visible()
    assert questions == ["Remove member-irit from the project? They leave its Slurm account."]
    assert ProjectMembership.objects.filter(project__code="irit-hybrid-ai", user__username="member-irit").exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove member-irit").click()
    expect(page.locator(".messages")).to_contain_text("Member removed.")
    assert not ProjectMembership.objects.filter(project__code="irit-hybrid-ai", user__username="member-irit").exists()


def test_an_operator_suspending_an_allocation_is_asked_but_resuming_is_not(page_factory, portal):
    from mesocentre.hpc.models import Allocation

    page = page_factory("en-GB")
    log_in(page, portal, "operator")
    page.goto(f"{portal}/projects/imft-jets/")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Suspend").first.click()
    expect(page.locator(".messages")).to_contain_text("suspended")
    assert questions == ["Suspend this allocation? Slurm stops accepting its jobs."]
    assert Allocation.objects.filter(project__code="imft-jets", status="suspended").count() == 1
    page.get_by_role("button", name="Resume").first.click()
    expect(page.locator(".messages")).to_contain_text("active")
    assert len(questions) == 1, "resuming gives back: it does not ask"
