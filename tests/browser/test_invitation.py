"""An invitation as people live it: a manager invites from the establishment's page, the newcomer follows the
e-mail's link in a real browser, creates an account there (in French), and is a member; axe-core checks the page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import blocking_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_invited_by_email_creates_an_account_from_the_link_and_joins(
    page_factory, portal, mailoutbox, deliver_mail
):
    from mesocentre.tenancy.models import Membership

    manager = page_factory("en-GB")
    log_in(manager, portal, "manager-ut3")
    manager.goto(f"{portal}/tenancy/establishments/ut3/")
    # The invitation's form: the members' table above it has a filter with a "Role" of its own.
    invite = manager.locator("form").filter(has=manager.get_by_role("button", name="Invite", exact=True))
    invite.get_by_label("E-mail address or username").fill("ada@example.org")
    invite.get_by_label("Role").select_option("member")
    invite.get_by_role("button", name="Invite", exact=True).click()
    expect(manager.locator(".messages")).to_contain_text("Invitation recorded for ada@example.org")
    expect(manager.locator("main")).to_contain_text("ada@example.org")

    deliver_mail()
    [mail] = mailoutbox
    link = re.search(r"https?://\S+/tenancy/invitations/open/\S+/", mail.body).group(0)
    newcomer = page_factory("fr-FR")
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=2, name="Créez votre compte")).to_be_visible()
    found = blocking_violations(newcomer, "the invitation's page (fr)")
    assert not found, report(found)
    newcomer.get_by_label("Identifiant").fill("ada")
    newcomer.get_by_label("Prénom").fill("Ada")
    newcomer.locator("#id_last_name").fill("Lovelace")  # its label, « Nom », is inside « Prénom » too
    newcomer.get_by_label("Mot de passe").fill("analytical engine 1843")
    newcomer.get_by_role("button", name="Créer mon compte et rejoindre").click()
    expect(newcomer.locator(".messages")).to_contain_text("Bienvenue")
    membership = Membership.objects.get(user__username="ada")
    assert (membership.establishment.code, membership.role, membership.user.email) == (
        "ut3",
        "member",
        "ada@example.org",
    )
