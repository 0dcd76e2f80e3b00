"""axe-core on every portal page a visitor, an establishment manager and an operator reach, in both languages.

Serious and critical violations fail the test (the RGAA check of the portal); each is printed with its rule, the
elements involved and axe-core's explanation.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
LOCALES = {"en": "en-GB", "fr": "fr-FR"}

VISITOR_PAGES = ["/", "/catalogue/", "/catalogue/cloud-vm/", "/billing/calculator/", "/login/"]
MANAGER_PAGES = [
    "/",
    "/tenancy/establishments/",
    "/tenancy/establishments/ut3/",
    "/tenancy/account/",
    "/tenancy/invitations/",
    "/tenancy/invitations/open/not-a-real-link/",
    "/resources/",
    "/resources/orders/",
]
OPERATOR_PAGES = [
    "/audit/",
    "/catalogue/cloud-vm/",
    "/tenancy/account/",
    "/provisioning/operations/",
    "/provisioning/tasks/",
    "/tenancy/people/",
    "/projects/",
    "/projects/imft-jets/",
    "/hpc/change-requests/",
    "/hpc/allocations/",
    "/projects/new/",
    "/hpc/calls/",
    "/hpc/calls/new/",
    "/hpc/assignments/",
    "/tenancy/charter/",
    "/tenancy/charter/new/",
    "/projects/imft-jets/publications/new/",
    "/projects/imft-jets/grants/new/",
    "/resources/",
    "/resources/orders/",
    "/resources/orders/new/",
]


def demo_round_pages() -> list[str]:
    """The pages of the demo's call and of its open round, whose code and id depend on the day it was loaded."""
    from mesocentre.hpc.models import Call, Round

    call = Call.objects.get()
    open_round = next(r for r in Round.objects.filter(call=call) if r.is_open)
    return [
        f"/hpc/calls/{call.code}/",
        f"/hpc/calls/{call.code}/rounds/new/",
        f"/hpc/rounds/{open_round.pk}/",
        f"/hpc/rounds/{open_round.pk}/budgets/",
    ]


def demo_resource_pages() -> list[str]:
    """A VM's page, its orders, an order awaiting the team and the order form of the gold tier (ids of the load)."""
    from mesocentre.catalogue.models import Plan
    from mesocentre.resources.models import Order, Resource

    vm = Resource.objects.get(name="inference-api")
    waiting = Order.objects.filter(state=Order.State.PENDING_PROVIDER).first()
    gold = Plan.objects.get(offering__code="cloud-vm", code="gold")
    return [
        f"/resources/{vm.pk}/",
        f"/resources/{vm.pk}/change/",
        f"/resources/orders/{waiting.pk}/",
        f"/resources/orders/new/?plan={gold.pk}",
    ]


def blocking_violations(page, where: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one readable paragraph each."""
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        lines = [f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"]
        for node in violation["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}\n      {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more elements")
        found.append("\n".join(lines))
    return found


def check_pages(page, portal: str, paths: list[str], language: str) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(f"{portal}{path}")
        assert response is not None and response.ok, f"{path} answered {response.status if response else 'nothing'}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        found += blocking_violations(page, f"{path} ({language})")
    return found


def report(found: list[str]) -> str:
    return f"{len(found)} serious or critical accessibility violation(s):\n\n" + "\n\n".join(found)


@pytest.mark.parametrize("language", LOCALES)
def test_visitor_pages(page_factory, portal, language):
    page = page_factory(LOCALES[language])
    found = check_pages(page, portal, VISITOR_PAGES, language)
    assert not found, report(found)


@pytest.mark.parametrize("language", LOCALES)
def test_calculator_with_a_quote_and_with_an_error(page_factory, portal, language):
    """The parts the script draws: the quote's table, then the error list and the invalid field."""
    page = page_factory(LOCALES[language])
    page.goto(f"{portal}/billing/calculator/")
    row = page.locator(".vm-row").first
    row.locator("select[name=tier]").select_option("gold")
    page.locator("#add-vm").click()
    page.locator("#storage_gb").fill("100")
    expect(page.locator("#total-ttc")).to_have_count(1)
    expect(page.locator("#quote-result tbody tr")).to_have_count(3)
    found = blocking_violations(page, f"calculator with a quote ({language})")
    row.locator("input[name=vcpu]").fill("0")
    expect(page.locator("#quote-errors li")).to_have_count(1)
    found += blocking_violations(page, f"calculator with an error ({language})")
    assert not found, report(found)


@pytest.mark.parametrize("language", LOCALES)
def test_establishment_manager_pages(page_factory, portal, language):
    page = page_factory(LOCALES[language])
    log_in(page, portal, "manager-ut3")
    found = check_pages(page, portal, MANAGER_PAGES, language)
    assert not found, report(found)


@pytest.mark.parametrize("language", LOCALES)
def test_operator_pages(page_factory, portal, language):
    page = page_factory(LOCALES[language])
    log_in(page, portal, "operator")
    found = check_pages(page, portal, OPERATOR_PAGES + demo_round_pages() + demo_resource_pages(), language)
    assert not found, report(found)


def test_a_failed_login_is_accessible(page_factory, portal):
    page = page_factory("fr-FR")
    page.goto(f"{portal}/login/")
    page.locator("#id_username").fill("manager-ut3")
    page.locator("#id_password").fill("not the password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .errors")).to_be_visible()
    found = blocking_violations(page, "/login/ after a wrong password (fr)")
    assert not found, report(found)


@pytest.mark.parametrize("language", LOCALES)
def test_error_pages(page_factory, portal, language):
    """A page that does not exist, and one the user may not see, are portal pages too."""
    page = page_factory(LOCALES[language])
    assert page.goto(f"{portal}/catalogue/no-such-offering/").status == 404
    expect(page.locator("html")).to_have_attribute("lang", language)
    found = blocking_violations(page, f"404 ({language})")
    log_in(page, portal, "manager-ut3")
    assert page.goto(f"{portal}/audit/").status == 403
    expect(page.locator("main h1")).to_have_count(1)
    found += blocking_violations(page, f"403 ({language})")
    assert not found, report(found)
