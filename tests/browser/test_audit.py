"""The audit log's page in a browser: its filters are a form people can use, and its errors are accessible."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import LOCALES, blocking_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", LOCALES)
def test_filtering_the_log_and_a_wrong_date_range(page_factory, portal, language):
    page = page_factory(LOCALES[language])
    log_in(page, portal, "operator")
    page.goto(f"{portal}/audit/")
    page.locator("#id_object_type").select_option("tenancy.establishment")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(
        f"{portal}/audit/?actor=&action=&object_type=tenancy.establishment&object_id=&since=&until="
    )
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text("tenancy.establishment")
    assert rows.count() == page.locator("main table tbody tr", has_text="tenancy.establishment").count()
    found = blocking_violations(page, f"/audit/ filtered ({language})")
    response = page.goto(f"{portal}/audit/?since=2026-06-20&until=2026-06-01")
    assert response is not None and response.status == 400
    expect(page.locator("#id_until")).to_have_attribute("aria-invalid", "true")
    with translation.override(language):
        refusal = gettext("The end date is before the start date.")
    expect(page.locator("main form")).to_contain_text(refusal)
    found += blocking_violations(page, f"/audit/ with a wrong date range ({language})")
    assert not found, report(found)
