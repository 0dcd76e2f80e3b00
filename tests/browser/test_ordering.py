"""A researcher orders a gold VM from the catalogue, in French: the estimate follows the sizes as they are typed,
the order is placed and waits for the cloud team, and the pages on the way pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import blocking_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_orders_a_gold_vm_from_the_catalogue_in_french(page_factory, portal):
    from mesocentre.resources.models import Order

    page = page_factory("fr-FR")
    log_in(page, portal, "pi-irit")
    page.goto(f"{portal}/catalogue/cloud-vm/")
    page.get_by_role("link", name=re.compile("Commander.*Gold")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commander")
    project = page.get_by_label("Projet")
    irit = project.locator("option", has_text="irit-hybrid-ai").get_attribute("value")
    project.select_option(value=irit)
    page.get_by_label("Nom").fill("web-2")
    page.get_by_label("vCPU").fill("2")
    page.get_by_label("RAM (Go)").fill("4")
    page.get_by_label("Disque (Go)").fill("50")
    estimate = page.locator("#order-estimate")
    expect(estimate).to_contain_text("121,00\u00a0€")  # a quarter, TTC, as the calculator says
    expect(estimate).to_contain_text("484,00\u00a0€")
    found = blocking_violations(page, "order form with its estimate (fr)")

    page.get_by_label("vCPU").fill("4")  # the estimate follows
    expect(estimate).to_contain_text("724,00\u00a0€")
    page.get_by_role("button", name="Passer la commande").click()
    expect(page.locator("body")).to_contain_text("en attente de l’approbation de l’équipe")
    found += blocking_violations(page, "order page (fr)")
    order = Order.objects.get(name="web-2")
    assert order.quantities == {"disk_gb": "50", "ram_gb": "4", "vcpu": "4"}
    assert order.estimate["year"]["total_ttc"] == "724.00"
    assert not found, report(found)


def test_too_large_a_vm_is_explained_in_french_before_the_order_is_sent(page_factory, portal):
    from mesocentre.resources.models import Order

    page = page_factory("fr-FR")
    log_in(page, portal, "pi-irit")
    page.goto(f"{portal}/catalogue/cloud-vm/")
    page.get_by_role("link", name=re.compile("Commander.*Gold")).click()
    project = page.get_by_label("Projet")
    project.select_option(value=project.locator("option", has_text="irit-hybrid-ai").get_attribute("value"))
    page.get_by_label("Nom").fill("huge")
    page.get_by_label("vCPU").fill("8")
    page.get_by_label("Disque (Go)").fill("200")
    page.get_by_label("RAM (Go)").fill("64")
    answer = page.locator("#order-placement")
    expect(answer).to_contain_text("Site 2 (disaster recovery)")  # it fits: the sites where it would run
    page.get_by_label("RAM (Go)").fill("400")  # more than any host has: the assistant's rules, in words
    refusal = page.locator("#placement-refusal")
    expect(refusal).to_contain_text("le plus libre sur un serveur hôte")
    expect(refusal).to_contain_text("la VM demande 400 Go de RAM")
    assert not Order.objects.filter(name="huge").exists()  # nothing was sent
