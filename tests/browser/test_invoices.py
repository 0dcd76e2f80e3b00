"""An operator issues the last ended quarter in French from the drafts' page, then reads an invoice with its totals
written the French way; the new billing pages pass axe-core (an operator's and a manager's)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, normalise
from tests.browser.test_accessibility import blocking_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRENCH_MONEY = re.compile(r"-?\d{1,3}(?: \d{3})*,\d{2} €")  # 1 452,00 € once the no-break spaces are plain


def test_an_operator_issues_the_quarter_in_french_and_reads_the_invoice(page_factory, portal):
    from mesocentre.billing import costs
    from mesocentre.billing.models import Invoice
    from mesocentre.core.formatting import money

    quarter = costs.last_ended_quarter()  # the demo's dates count from the day it was loaded: so does this
    page = page_factory("fr-FR")
    log_in(page, portal, "operator")
    page.goto(f"{portal}/billing/drafts/")
    expect(page.locator("main h1")).to_contain_text(str(quarter))
    found = blocking_violations(page, "drafts (fr)")
    rows = page.locator("#drafts tbody tr")
    assert rows.count() >= 2
    page.once("dialog", lambda dialog: dialog.accept())  # "Issue every establishment's invoice…?"
    page.locator("#issue-all").click()
    expect(page.locator(".messages")).to_contain_text(str(quarter))
    invoices = list(Invoice.objects.filter(quarter=str(quarter)).order_by("-total_ttc"))
    assert invoices, "the demo's last ended quarter has something to invoice"

    page.goto(f"{portal}/billing/invoices/")
    found += blocking_violations(page, "invoices (fr)")
    biggest = invoices[0]
    page.get_by_role("link", name=biggest.number).click()
    expect(page.locator("main h1")).to_contain_text(biggest.number)
    ttc = normalise(page.locator("#total-ttc").inner_text())
    assert ttc == normalise(money(biggest.total_ttc, "fr", cents=True)) and FRENCH_MONEY.fullmatch(ttc), ttc
    assert FRENCH_MONEY.fullmatch(normalise(page.locator("#invoice-totals tr").first.locator("td").inner_text()))
    found += blocking_violations(page, "invoice (fr)")
    page.goto(f"{portal}/billing/drafts/{quarter}/{biggest.establishment.code}/")  # issued: leads to the invoice
    expect(page.locator("main h1")).to_contain_text(biggest.number)
    assert not found, report(found)


def test_a_managers_billing_pages_pass_axe(page_factory, portal):
    page = page_factory("fr-FR")
    log_in(page, portal, "manager-ut3")
    found = []
    for path in ("/billing/invoices/", "/billing/establishment/ut3/", "/projects/irit-hybrid-ai/"):
        response = page.goto(f"{portal}{path}")
        assert response is not None and response.ok, path
        found += blocking_violations(page, f"{path} (fr)")
    assert not found, report(found)
