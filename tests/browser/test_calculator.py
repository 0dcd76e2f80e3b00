"""The public cost calculator in a real browser: totals formatted in the page's language, live updates, errors."""

from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from mesocentre.billing.calculator import Item, quote
from mesocentre.core import formatting
from tests.browser.conftest import normalise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_total(page, expected: str) -> None:
    """Wait until the quote's total TTC reads `expected` (spaces normalised), then check it."""
    try:
        page.wait_for_function(
            """expected => {
                const total = document.getElementById("total-ttc");
                return total !== null && total.textContent.replace(/[\\u202f\\u00a0]/g, " ") === expected;
            }""",
            arg=expected,
            timeout=10_000,
        )
    except PlaywrightError:
        pass  # the assertion below says what the page shows instead
    total = page.locator("#total-ttc")
    shown = normalise(total.text_content()) if total.count() else "(no total)"
    assert shown == expected, f"total TTC is {shown!r}, expected {expected!r}; errors: {errors_text(page)!r}"


def errors_text(page) -> str:
    return normalise(page.locator("#quote-errors").text_content() or "")


def quote_gold_vm(page) -> None:
    """Set the VM row to a gold VM of 2 vCPU, 4 GB RAM, 50 GB disk, over a year."""
    page.locator("#period").select_option("year")
    row = page.locator(".vm-row").first
    row.locator("select[name=tier]").select_option("gold")
    row.locator("input[name=vcpu]").fill("2")
    row.locator("input[name=ram_gb]").fill("4")
    row.locator("input[name=disk_gb]").fill("50")


def switch_to_french(page) -> None:
    """Click the header's language button, as a visitor would."""
    page.locator(".site-header").get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_gold_vm_in_french_through_the_language_button(page_factory, portal):
    page = page_factory("en-GB")
    page.goto(f"{portal}/billing/calculator/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cost calculator")
    switch_to_french(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Calculette des coûts")
    quote_gold_vm(page)
    wait_for_total(page, "484,00 €")
    assert normalise(page.locator("#quote-result tfoot").text_content()).startswith("Total HT")
    assert "Total TTC" in page.locator("#quote-result tfoot").text_content()


def test_gold_vm_in_french_from_the_browser_language(page_factory, portal):
    page = page_factory("fr-FR")
    page.goto(f"{portal}/billing/calculator/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    quote_gold_vm(page)
    wait_for_total(page, "484,00 €")


def test_gold_vm_in_english(page_factory, portal):
    page = page_factory("en-GB")
    page.goto(f"{portal}/billing/calculator/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    quote_gold_vm(page)
    wait_for_total(page, "€484.00")


def test_typing_updates_the_total_without_submitting(page_factory, portal):
    page = page_factory("fr-FR")
    page.goto(f"{portal}/billing/calculator/")
    quote_gold_vm(page)
    wait_for_total(page, "484,00 €")
    vcpu = page.locator(".vm-row input[name=vcpu]").first
    vcpu.click()
    vcpu.press("Control+a")
    vcpu.press_sequentially("4")  # key by key, no submit, no Enter
    # Two more vCPU on gold: 2 × (50.00 on the VM + 50.00 on the standby) = 200.00 HT, 240.00 TTC more.
    wait_for_total(page, "724,00 €")
    row_text = normalise(page.locator("#quote-result tbody").text_content())
    assert "4 vCPU" in row_text


@pytest.mark.parametrize("vcpu", ["0", "500"])
@pytest.mark.parametrize(
    "locale, field, heading",
    [("fr-FR", "vCPU", "Le devis n’a pas pu être calculé"), ("en-GB", "vCPU", "The quote could not be computed")],
)
def test_a_bad_value_names_the_field_and_shows_no_total(page_factory, portal, vcpu, locale, field, heading):
    page = page_factory(locale)
    page.goto(f"{portal}/billing/calculator/")
    quote_gold_vm(page)
    wait_for_total(page, "484,00 €" if locale == "fr-FR" else "€484.00")
    page.locator(".vm-row input[name=vcpu]").first.fill(vcpu)
    errors = page.locator("#quote-errors")
    expect(errors).to_contain_text(heading)
    expect(errors.locator("li")).to_contain_text(field)
    expect(page.locator("#total-ttc")).to_have_count(0)
    expect(page.locator(".vm-row input[name=vcpu]").first).to_have_attribute("aria-invalid", "true")
    # Putting it right brings the total back and clears the error.
    page.locator(".vm-row input[name=vcpu]").first.fill("2")
    wait_for_total(page, "484,00 €" if locale == "fr-FR" else "€484.00")
    expect(errors).to_be_empty()
    expect(page.locator(".vm-row input[name=vcpu]").first).not_to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize(("locale", "language"), [("en-GB", "en"), ("fr-FR", "fr")])
def test_the_page_writes_every_figure_exactly_as_the_server_does(page_factory, portal, locale, language):
    """Quantities with thousands, a unit price finer than the cent, amounts, VAT and totals: each cell reads what
    core.formatting writes for the page's language (narrow no-break spaces included), not what the browser would."""
    page = page_factory(locale)
    page.goto(f"{portal}/billing/calculator/")
    quote_gold_vm(page)
    page.locator("#core_hours").fill("1500000")
    with translation.override(language):
        expected = quote(
            [
                Item(kind="cloud-vm", plan="gold", vcpu=2, ram_gb=4, disk_gb=50),
                Item(kind="hpc", core_hours=Decimal(1500000)),
            ],
            period="year",
        )
        rows = [
            [
                line.description,
                formatting.number(line.quantity),
                line.unit,
                formatting.money(line.unit_price_ht),
                formatting.money(line.amount_ht),
            ]
            for line in expected.lines
        ]
        totals = [
            formatting.money(expected.total_ht),
            *(formatting.money(amount) for amount in expected.vat_by_rate.values()),
            formatting.money(expected.total_ttc),
        ]
    wait_for_total(page, normalise(totals[-1]))
    shown = page.locator("#quote-result tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.textContent))"
    )
    assert shown == rows
    assert page.locator("#quote-result tfoot td.num").all_text_contents() == totals
    hpc = [rows[1][1], rows[1][3], rows[1][4]]  # quantity, unit price, amount
    if language == "fr":
        assert hpc == ["1\u202f500\u202f000", "0,01\u00a0€", "15\u202f000,00\u00a0€"]
    else:
        assert hpc == ["1,500,000", "€0.01", "€15,000.00"]
