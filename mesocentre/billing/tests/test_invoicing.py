"""Issuing invoices and credit notes (``billing.invoicing``, ``mesocentre invoices issue|credit|list|show``), on the
world of the drafts' tests (2026-06-15: Q1 2026 has ended, Q2 has not; a bronze VM is 192.50 € HT a year, 48.13 €
for a quarter held)."""

import datetime
import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from mesocentre.billing import invoicing, rating
from mesocentre.billing.models import Invoice, InvoiceLine
from mesocentre.billing.tests.test_rating import VM, held, midnight
from mesocentre.projects.models import Project
from mesocentre.provisioning.tests.conftest import worker_env
from mesocentre.provisioning.tests.test_workers import finish
from mesocentre.tenancy.models import Establishment, Laboratory, Membership

Q1, Q2 = rating.Quarter(2026, 1), rating.Quarter(2026, 2)
DRAFT_KEYS = {"establishment", "number", "kind", "quarter", "price_list", "total_ht", "total_vat", "total_ttc"}
LINE_KEYS = {
    "project",
    "offering",
    "description",
    "quantity",
    "unit",
    "unit_price_ht",
    "amount_ht",
    "vat_rate",
    "period_start",
    "period_end",
}


def paying(shop, code: str, vms: int = 1) -> Establishment:
    """An establishment paying for a project that holds ``vms`` bronze VMs since 2025 (48.13 € HT each a quarter)."""
    w = shop.w
    establishment = Establishment.objects.create(
        code=code, name=f"Establishment {code}", kind="university", siret="12345678200002", chorus_service_code="SC1"
    )
    lab = Laboratory.objects.create(code=f"lab-{code}", name=f"Laboratory {code}", theme=w.theme)
    lab.establishments.set([establishment])
    project = Project.objects.create(
        code=f"p-{code}",
        title=f"Project {code}",
        laboratory=lab,
        paying_establishment=establishment,
        theme=w.theme,
        starts_on=datetime.date(2025, 1, 1),
    )
    for index in range(vms):
        held(project, shop.bronze, VM, midnight(2025, 1, 1), name=f"vm{index}")
    return establishment


@pytest.fixture
def billed(shop):
    """The CNRS's project holds a bronze VM, and a second establishment's project three: Q1 2026 is theirs to pay."""
    held(shop.w.project, shop.bronze, VM, midnight(2025, 1, 1))
    shop.ehess = paying(shop, "ehess", vms=3)
    return shop


# --------------------------------------------------------------------------------------------------- issuing
def test_a_quarter_is_issued_once_it_has_ended_numbered_and_frozen(billed, capsys, settings):
    settings.MESOCENTRE_SELLER_NAME = "Seller SA"
    w = billed.w
    with pytest.raises(CommandError, match="--quarter") as refused:
        call_command("invoices", "issue", "--quarter", "2026Q2")  # ends on 30 June; we are on 15 June
    assert refused.value.returncode == 2 and "30 Jun 2026" in str(refused.value)
    assert not Invoice.objects.exists()
    with pytest.raises(CommandError, match="--purchase-order"):  # one establishment's engagement number
        call_command("invoices", "issue", "--quarter", "2026Q1", "--purchase-order", "EJ-42")
    with pytest.raises(ValidationError, match="2026Q2"):
        invoicing.issue(w.cnrs, Q2)

    call_command("invoices", "issue", "--quarter", "2026Q1", "--establishment", "cnrs", "--purchase-order", "EJ-42")
    call_command("invoices", "issue", "--quarter", "2026Q1")
    out = capsys.readouterr().out
    cnrs, ehess = Invoice.objects.get(establishment=w.cnrs), Invoice.objects.get(establishment=billed.ehess)
    assert (cnrs.number, ehess.number) == ("F-2026-000001", "F-2026-000002")
    assert "CNRS, 2026Q1: already issued as F-2026-000001" in out, "the rerun skips what was issued"
    assert "University, 2026Q1: nothing to invoice (no line, no annex): not issued" in out
    assert (cnrs.total_ht, cnrs.total_vat, cnrs.total_ttc) == (Decimal("48.13"), Decimal("9.63"), Decimal("57.76"))
    assert (ehess.total_ht, ehess.lines.get().quantity) == (Decimal("144.38"), 3)  # 3 × 48.125, rounded once
    assert (cnrs.purchase_order, ehess.purchase_order) == ("EJ-42", "")
    assert (ehess.buyer_name, ehess.buyer_siret, ehess.buyer_service_code) == (
        "Establishment ehess",
        "12345678200002",
        "SC1",
    )
    assert (cnrs.seller_name, cnrs.seller_siret) == ("Seller SA", "12345678200002")
    # The draft and the invoice agree, key by key.
    assert cnrs.as_dict()["lines"][0] == {"line": 1, **rating.draft(w.cnrs, Q1).lines[0].as_dict()}

    # Twice for the same establishment and quarter: skipped by the service, refused by the database.
    assert invoicing.issue(w.cnrs, Q1).skipped == "already issued as F-2026-000001"
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.bulk_create([Invoice(**{**_fields(cnrs), "number": "F-2026-000099"})])


def _fields(invoice: Invoice) -> dict:
    return {f.name: getattr(invoice, f.name) for f in Invoice._meta.concrete_fields if f.name != "id"}


def test_an_issued_invoice_refuses_to_change_in_the_model_and_in_the_database(billed):
    invoicing.issue(billed.w.cnrs, Q1)
    invoice = Invoice.objects.get()
    invoice.total_ht = Decimal("1.00")
    with pytest.raises(ValidationError, match="credit note"):
        invoice.save()
    with pytest.raises(ValidationError, match="credit note"):
        invoice.delete()
    with pytest.raises(ValidationError, match="credit note"):
        invoice.lines.get().save()
    assert connection.vendor == "postgresql", "the tests run on PostgreSQL, where the trigger is"
    for change in (
        lambda: Invoice.objects.filter(pk=invoice.pk).update(total_ht=Decimal("1.00")),
        lambda: InvoiceLine.objects.filter(invoice=invoice).update(amount_ht=Decimal("1.00")),
        lambda: InvoiceLine.objects.filter(invoice=invoice)._raw_delete(InvoiceLine.objects.db),
        lambda: Invoice.objects.filter(pk=invoice.pk)._raw_delete(Invoice.objects.db),
    ):
        with pytest.raises(IntegrityError, match="billing_issued_never_changes"), transaction.atomic():
            change()
    invoice.refresh_from_db()
    assert invoice.total_ht == Decimal("48.13") and invoice.lines.get().amount_ht == Decimal("48.13")


def test_an_empty_draft_is_not_issued(shop):
    outcome = invoicing.issue(shop.w.univ, Q1)
    assert outcome.invoice is None and "not issued" in outcome.skipped
    assert not Invoice.objects.exists()


# ---------------------------------------------------------------------------------------------- credit notes
def test_a_partial_then_a_full_credit_note_and_one_refused_for_crediting_more_than_invoiced(shop, capsys):
    w = shop.w
    held(w.project, shop.bronze, VM, midnight(2025, 1, 1))
    held(w.project, shop.gold, VM, midnight(2025, 1, 1), name="gold")
    invoice = invoicing.issue(w.cnrs, Q1).invoice
    assert [line.amount_ht for line in invoice.lines.all()] == [Decimal("48.13"), Decimal("100.83")]
    call_command("invoices", "show", invoice.number)
    shown = capsys.readouterr().out
    assert "  1. jets" in shown and "  2. jets" in shown and "€100.83" in shown

    call_command("invoices", "credit", invoice.number, "--reason", "The gold VM was down a week.", "--line", "2")
    partial = Invoice.objects.get(kind="credit_note")
    assert partial.number == "A-2026-000001" and partial.credits == invoice
    assert [(line.position, line.amount_ht, line.credits_line.position) for line in partial.lines.all()] == [
        (1, Decimal("-100.83"), 2)
    ]
    assert (partial.total_ht, partial.total_vat, partial.total_ttc) == (
        Decimal("-100.83"),
        Decimal("-20.17"),
        Decimal("-121.00"),
    )
    assert "A-2026-000001 issued: credits €100.83 HT (€121.00 TTC) of F-2026-000001." in capsys.readouterr().out

    # Line 2 again: nothing is left of it, said with the figures; nothing written.
    with pytest.raises(CommandError, match="--line") as refused:
        call_command("invoices", "credit", invoice.number, "--reason", "Again.", "--line", "2")
    assert refused.value.returncode == 2
    assert "line 2 was invoiced €100.83 HT and earlier credit notes took back €100.83: €0.00 is left" in str(
        refused.value
    )
    with pytest.raises(CommandError, match="no line 7"):
        call_command("invoices", "credit", invoice.number, "--reason", "Typo.", "--line", "7")
    with pytest.raises(CommandError, match="--reason"):
        call_command("invoices", "credit", invoice.number, "--reason", "  ")

    # In full: what is left, line 1 only.
    call_command("invoices", "credit", invoice.number, "--reason", "The project was never billable.")
    full = Invoice.objects.get(number="A-2026-000002")
    assert [(line.amount_ht, line.quantity, line.credits_line.position) for line in full.lines.all()] == [
        (Decimal("-48.13"), -1, 1)
    ]
    assert partial.total_ht + full.total_ht == -invoice.total_ht
    with pytest.raises(ValidationError, match="nothing is left to credit"):
        invoicing.credit(invoice, "Once more.")
    with pytest.raises(ValidationError, match="is a credit note"):
        invoicing.credit(full, "A credit note of a credit note.")
    assert Invoice.objects.filter(kind="credit_note").count() == 2


# ---------------------------------------------------------------------------------------------- list and show
def test_list_and_show_print_the_drafts_json_shape_with_number_kind_and_what_a_credit_note_corrects(billed, capsys):
    w = billed.w
    invoice = invoicing.issue(w.cnrs, Q1, purchase_order="EJ-7").invoice
    invoicing.issue(billed.ehess, Q1)
    note = invoicing.credit(invoice, "Wrong establishment.")
    capsys.readouterr()
    call_command("invoices", "list", "--quarter", "2026Q1", "--establishment", "cnrs", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert [(i["number"], i["kind"], i["credits"]) for i in listed] == [
        ("F-2026-000001", "invoice", None),
        ("A-2026-000001", "credit_note", "F-2026-000001"),
    ]
    first = listed[0]
    assert set(first) >= DRAFT_KEYS | {"lines", "annex", "issued_at", "credits"}
    assert set(first["lines"][0]) == LINE_KEYS | {"line"}
    assert (first["total_ht"], first["total_vat"], first["total_ttc"]) == ("48.13", "9.63", "57.76")
    assert first["purchase_order"] == "EJ-7" and first["buyer"]["name"] == "CNRS" and first["seller"]["siret"]
    assert datetime.datetime.fromisoformat(first["issued_at"])
    assert listed[1]["reason"] == "Wrong establishment." and listed[1]["total_ttc"] == "-57.76"

    call_command("invoices", "show", note.number, "--json")
    assert json.loads(capsys.readouterr().out)["credits"] == "F-2026-000001"
    call_command("invoices", "list")
    out = capsys.readouterr().out
    assert "F-2026-000002 invoice, Establishment ehess, 2026Q1" in out
    assert "A-2026-000001 credit note of F-2026-000001, CNRS, 2026Q1" in out
    with pytest.raises(CommandError, match="F-2026-999999") as refused:
        call_command("invoices", "show", "F-2026-999999")
    assert refused.value.returncode == 2


# ------------------------------------------------------------------------------------------------------- API
def test_the_api_shows_an_establishments_invoices_to_its_managers_and_every_one_to_operators(billed, user_factory):
    w = billed.w
    cnrs = invoicing.issue(w.cnrs, Q1).invoice
    ehess = invoicing.issue(billed.ehess, Q1).invoice
    manager = user_factory("cnrs-manager")
    Membership.objects.create(user=manager, establishment=w.cnrs, role="manager")
    member = user_factory("cnrs-member")
    Membership.objects.create(user=member, establishment=w.cnrs, role="member")

    def numbers(user):
        client = APIClient()
        if user:
            client.force_login(user)
        response = client.get("/api/billing/invoices/")
        return response.status_code, sorted(i["number"] for i in response.json().get("results", []))

    assert numbers(w.operator) == (200, [cnrs.number, ehess.number])
    assert numbers(manager) == (200, [cnrs.number])
    assert numbers(member) == (200, []) and numbers(w.pi) == (200, [])
    assert numbers(None)[0] in (401, 403)
    client = APIClient()
    client.force_login(manager)
    assert client.get(f"/api/billing/invoices/{ehess.pk}/").status_code == 404
    detail = client.get(f"/api/billing/invoices/{cnrs.pk}/").json()
    assert detail["number"] == cnrs.number and detail["lines"][0]["amount_ht"] == "48.13"
    assert client.post("/api/billing/invoices/", {}).status_code == 405


# -------------------------------------------------------------------------------------- two issuers at once
# A process that waits for a file, then issues Q1 2026 for every establishment in the order given; prints its numbers.
ISSUE = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
django.setup()
from mesocentre.billing import invoicing, rating
from mesocentre.tenancy.models import Establishment
gate, order = sys.argv[1], sys.argv[2]
establishments = list(Establishment.objects.order_by("code" if order == "forward" else "-code"))
while not os.path.exists(gate):
    time.sleep(0.01)
for establishment in establishments:
    outcome = invoicing.issue(establishment, rating.Quarter(2026, 1))
    if outcome.invoice:
        print(outcome.invoice.number, establishment.code)
"""


@pytest.mark.django_db(transaction=True)
def test_two_issuers_at_once_leave_no_gap_and_no_duplicate(shop, tmp_path: Path):
    held(shop.w.project, shop.bronze, VM, midnight(2025, 1, 1))
    for index in range(7):
        paying(shop, f"est{index}")
    gate = tmp_path / "go"
    env = worker_env()
    issuers = [
        subprocess.Popen(
            [sys.executable, "-c", ISSUE, str(gate), order],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for order in ("forward", "backward")
    ]
    time.sleep(1.5)  # both have started Django and wait at the gate
    gate.touch()
    printed = [line.split() for issuer in issuers for line in finish(issuer).splitlines()]
    invoices = list(Invoice.objects.order_by("number"))
    assert len(invoices) == 8 == len(printed), printed  # the CNRS and the seven; the university has nothing
    year = invoices[0].number.split("-")[1]
    assert [i.number for i in invoices] == [f"F-{year}-{n:06d}" for n in range(1, 9)], "no gap, no duplicate"
    assert sorted(number for number, _code in printed) == [i.number for i in invoices]
    assert len({i.establishment_id for i in invoices}) == 8, "each establishment once"
    # (Numbers follow the moments of issue within a process's clock; two processes' clocks are not compared here:
    # under --shift-clock each is shifted on its own start.)


def test_issuing_and_crediting_are_in_the_audit_log(billed):
    from mesocentre.audit.models import AuditEntry

    invoice = invoicing.issue(billed.w.cnrs, Q1).invoice
    note = invoicing.credit(invoice, "Wrong project.")
    entries = AuditEntry.objects.filter(object_type="billing.invoice", action="create")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted([str(invoice.pk), str(note.pk)])
