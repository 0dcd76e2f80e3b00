"""The calculator page's numbered quote in a real browser: a signed-in researcher prices a gold VM and downloads
its numbered quote (PDF), which says what the page said; a visitor is not offered one."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from mesocentre.billing.models import QuoteDocument
from tests.browser.conftest import log_in
from tests.browser.test_calculator import quote_gold_vm, wait_for_total

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BUTTON = "Download a numbered quote (PDF)"


def test_a_signed_in_researcher_downloads_a_numbered_quote_of_the_basket(page_factory, portal, tmp_path):
    page = page_factory("en-GB")
    page.goto(f"{portal}/billing/calculator/")
    expect(page.get_by_role("button", name=BUTTON)).to_have_count(0)  # visitors price, they take no number
    log_in(page, portal, "pi-irit")
    page.goto(f"{portal}/billing/calculator/")
    quote_gold_vm(page)
    wait_for_total(page, "€484.00")
    with page.expect_download() as download:
        page.get_by_role("button", name=BUTTON).click()
    assert re.fullmatch(r"D-\d{4}-\d{6}\.pdf", download.value.suggested_filename)
    saved = tmp_path / "quote.pdf"
    download.value.save_as(saved)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
    document = QuoteDocument.objects.get()
    assert document.number in text and "€484.00" in text and "€403.33" in text
    assert document.requested_by == "pi-irit" and str(document.total_ttc) == "484.00"
