"""The people's pages of the invoices: the operators' drafts, issuing and crediting; the managers' invoices and
spending; a project's costs. On the world of the drafts' tests (2026-06-15: Q1 2026 has ended, Q2 has not; a bronze
VM is 48.13 € HT a quarter held, 57.76 € TTC; a gold one 100.83 € HT)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mesocentre.billing import costs, invoicing, rating
from mesocentre.billing.models import Invoice
from mesocentre.billing.tests.test_invoicing import Q1, paying
from mesocentre.billing.tests.test_rating import VM, held, midnight
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import ProjectMembership
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.models import Establishment, Membership


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text(response) -> str:
    """The page's text without its tags, spaces collapsed (money is written with no-break spaces in French)."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.replace("\u202f", " ").replace("\u00a0", " ").split())


# ------------------------------------------------------------------------------------------------ the drafts
def test_the_operator_reviews_the_drafts_and_issues_one_with_its_purchase_order_then_all(billed):
    w = billed.w
    operator = client_of(w.operator)
    page = operator.get("/billing/drafts/?quarter=2026Q1")
    assert page.status_code == 200
    shown = text(page)
    assert "CNRS €48.13 €57.76 draft" in shown and "Establishment ehess €144.38" in shown
    assert "University" in shown and "nothing to invoice" in shown
    detail = operator.get("/billing/drafts/2026Q1/cnrs/")
    assert detail.status_code == 200 and "Project jets — " in text(detail) and "€48.13" in text(detail)

    issued = operator.post("/billing/drafts/2026Q1/cnrs/issue/", {"purchase_order": "EJ-42"})
    invoice = Invoice.objects.get(establishment=w.cnrs)
    assert issued.status_code == 302 and issued["Location"] == f"/billing/invoices/{invoice.number}/"
    assert (invoice.number, invoice.purchase_order) == ("F-2026-000001", "EJ-42")
    assert "F-2026-000001 issued to CNRS for 2026Q1: €57.76 TTC" in said(issued)
    # Issued, the establishment shows its invoice instead of a draft; its draft's page leads to it.
    assert "issued as F-2026-000001" in text(operator.get("/billing/drafts/?quarter=2026Q1"))
    assert operator.get("/billing/drafts/2026Q1/cnrs/")["Location"] == "/billing/invoices/F-2026-000001/"

    everything = operator.post("/billing/drafts/issue-all/2026Q1/")
    assert everything.status_code == 302 and "1 invoices issued for 2026Q1" in said(everything)[0]
    assert sorted(Invoice.objects.values_list("number", "establishment__code")) == [
        ("F-2026-000001", "cnrs"),
        ("F-2026-000002", "ehess"),
    ]
    again = operator.post("/billing/drafts/issue-all/2026Q1/")  # run again: nothing more, no number taken
    assert "0 invoices issued" in said(again)[-1] and Invoice.objects.count() == 2


def test_issuing_before_the_quarters_end_is_refused_with_the_day_it_ends_and_allowed_the_day_after(
    billed, time_machine
):
    w = billed.w
    held(w.project, billed.bronze, VM, midnight(2026, 4, 1), name="april")
    operator = client_of(w.operator)
    page = text(operator.get("/billing/drafts/?quarter=2026Q2"))
    assert "2026Q2 has not ended" in page and "(refused until the quarter has ended)" in page
    for path in ("/billing/drafts/issue-all/2026Q2/", "/billing/drafts/2026Q2/cnrs/issue/"):
        refused = operator.post(path)
        assert refused.status_code == 302 and refused["Location"] == "/billing/drafts/?quarter=2026Q2"
        assert said(refused)[-1:] == ["2026Q2 ends on 30 Jun 2026: it is invoiced from 1 Jul 2026 on, not before."]
    assert not Invoice.objects.exists()

    time_machine.move_to(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    client_of(w.operator).post("/billing/drafts/issue-all/2026Q2/")  # logged in again: the session is 2 weeks
    assert set(Invoice.objects.values_list("quarter", "establishment__code")) == {
        ("2026Q2", "cnrs"),
        ("2026Q2", "ehess"),
    }


def test_the_drafts_page_refuses_a_quarter_that_is_not_one_and_defaults_to_the_last_ended(billed):
    operator = client_of(billed.w.operator)
    wrong = operator.get("/billing/drafts/?quarter=2026Q5")
    assert wrong.status_code == 400 and "A quarter is written like 2026Q4" in text(wrong)
    assert "Drafts — 2026Q1" in text(operator.get("/billing/drafts/"))  # on 15 June 2026
    assert operator.get("/billing/drafts/2026Q9/cnrs/").status_code == 404
    long = operator.post("/billing/drafts/2026Q1/cnrs/issue/", {"purchase_order": "x" * 51})
    assert "at most 50 characters" in said(long)[0] and not Invoice.objects.exists()


def test_only_operators_see_the_drafts_and_issue(billed):
    w = billed.w
    manager = client_of(w.manager)  # the CNRS's
    assert manager.get("/billing/drafts/?quarter=2026Q1").status_code == 403
    assert manager.get("/billing/drafts/2026Q1/cnrs/").status_code == 403
    assert manager.post("/billing/drafts/2026Q1/cnrs/issue/").status_code == 403
    assert manager.post("/billing/drafts/issue-all/2026Q1/").status_code == 403
    assert not Invoice.objects.exists()


def test_the_drafts_page_adds_no_query_per_establishment_to_what_drafting_costs(billed):
    """What the page reads beyond ``rating.draft`` (the establishments, their issued invoices) is the same with 2
    establishments to draft as with 20."""
    operator = client_of(billed.w.operator)

    def overhead() -> int:
        operator.get("/billing/drafts/?quarter=2026Q1")  # warms the caches
        with CaptureQueriesContext(connection) as page:
            assert operator.get("/billing/drafts/?quarter=2026Q1").status_code == 200
        with CaptureQueriesContext(connection) as drafting:
            issued = costs.issued_by_establishment(Q1)
            for establishment in Establishment.objects.exclude(pk__in=issued):
                rating.draft(establishment, Q1)
        return len(page) - len(drafting)

    invoicing.issue(billed.w.cnrs, Q1)  # an issued one among them
    few = overhead()
    for index in range(18):
        paying(billed, f"more{index:02d}")
    assert Establishment.objects.count() >= 20
    assert overhead() == few


# ------------------------------------------------------------------------------------------------ the invoices
@pytest.fixture
def issued(billed, user_factory):
    w = billed.w
    billed.cnrs_invoice = invoicing.issue(w.cnrs, Q1, purchase_order="EJ-42").invoice
    billed.ehess_invoice = invoicing.issue(billed.ehess, Q1).invoice
    billed.ehess_manager = user_factory("ehess-manager")
    Membership.objects.create(user=billed.ehess_manager, establishment=billed.ehess, role="manager")
    return billed


def test_a_manager_sees_their_establishments_invoices_and_never_anothers(issued):
    cnrs, ehess = issued.cnrs_invoice, issued.ehess_invoice
    manager = client_of(issued.w.manager)
    listing = text(manager.get("/billing/invoices/"))
    assert cnrs.number in listing and ehess.number not in listing and "Establishment ehess" not in listing
    assert manager.get(f"/billing/invoices/{ehess.number}/").status_code == 404
    assert manager.get("/billing/establishment/ehess/").status_code == 404
    assert manager.post(f"/billing/invoices/{ehess.number}/credit/", {"reason": "x", "what": "all"}).status_code == 404
    assert manager.post(f"/billing/invoices/{cnrs.number}/credit/", {"reason": "x", "what": "all"}).status_code == 403
    member = client_of(issued.w.pi)  # a member of the university, manager of nothing
    assert cnrs.number not in text(member.get("/billing/invoices/"))
    assert "/billing/invoices/" not in member.get("/").content.decode(), "no Invoices menu for a member"
    assert 'href="/billing/invoices/"' in manager.get("/").content.decode()
    assert 'href="/billing/drafts/"' not in manager.get("/billing/invoices/").content.decode()
    operator = client_of(issued.w.operator)
    assert 'href="/billing/invoices/"' in operator.get("/").content.decode()
    assert 'href="/billing/drafts/"' in operator.get("/billing/invoices/").content.decode(), "drafts: from invoices"
    everything = text(operator.get("/billing/invoices/"))
    assert cnrs.number in everything and ehess.number in everything


def test_the_list_filters_by_kind_quarter_establishment_and_number(issued):
    cnrs, ehess = issued.cnrs_invoice, issued.ehess_invoice
    note = invoicing.credit(cnrs, "Wrong establishment.")
    operator = client_of(issued.w.operator)

    def numbers(query: str) -> set[str]:
        response = operator.get(f"/billing/invoices/{query}")
        assert response.status_code == 200, query
        return set(re.findall(r"[FA]-2026-\d{6}", response.content.decode()))

    assert numbers("?kind=credit_note") == {note.number, cnrs.number}  # the note and the invoice it corrects
    assert numbers("?establishment=ehess") == {ehess.number}
    assert numbers("?quarter=2026Q1") == {cnrs.number, ehess.number, note.number}
    assert numbers("?quarter=2025Q1") == set()
    assert numbers(f"?q={ehess.number[-3:]}") == {ehess.number}
    wrong = operator.get("/billing/invoices/?quarter=Q1")
    assert wrong.status_code == 400 and "A quarter is written like 2026Q4" in text(wrong)


def test_the_invoice_page_shows_lines_by_project_and_offering_totals_buyer_and_credit_notes(issued):
    invoice = issued.cnrs_invoice
    manager = client_of(issued.w.manager)
    shown = text(manager.get(f"/billing/invoices/{invoice.number}/"))
    assert f"Invoice {invoice.number}" in shown
    assert "Project jets — " in shown and "1 Jan 2026 – 31 Mar 2026" in shown
    assert "Total HT €48.13 VAT €9.63 Total TTC €57.76" in shown
    assert "Buyer's SIRET —" in shown and "Purchase order (engagement) number EJ-42" in shown
    assert "No credit note corrects this invoice." in shown
    assert "Issue a credit note" not in shown, "a manager reads, never credits"
    ehess = text(client_of(issued.ehess_manager).get(f"/billing/invoices/{issued.ehess_invoice.number}/"))
    assert "Buyer's SIRET 12345678200002" in ehess and "Chorus Pro service code SC1" in ehess

    note = invoicing.credit(invoice, "Wrong establishment.")
    shown = text(manager.get(f"/billing/invoices/{invoice.number}/"))
    assert note.number in shown and "-€48.13 HT — Wrong establishment." in shown
    corrects = text(manager.get(f"/billing/invoices/{note.number}/"))
    assert f"Credit note {note.number}" in corrects and f"Corrects {invoice.number}" in corrects


def test_the_operator_credits_lines_then_the_rest_from_the_form_and_a_reason_is_required(shop):
    w = shop.w
    held(w.project, shop.bronze, VM, midnight(2025, 1, 1))
    held(w.project, shop.gold, VM, midnight(2025, 1, 1), name="gold")
    invoice = invoicing.issue(w.cnrs, Q1).invoice
    operator = client_of(w.operator)
    page = f"/billing/invoices/{invoice.number}/"
    assert "Issue a credit note" in text(operator.get(page))

    blank = operator.post(page + "credit/", {"reason": "  ", "what": "lines", "lines": ["2"]})
    assert blank.status_code == 400 and "This field is required." in text(blank)
    none_chosen = operator.post(page + "credit/", {"reason": "Down.", "what": "lines"})
    assert none_chosen.status_code == 400 and "Choose the lines" in text(none_chosen)
    unknown = operator.post(page + "credit/", {"reason": "Down.", "what": "lines", "lines": ["7"]})
    assert unknown.status_code == 400
    assert not Invoice.objects.filter(kind="credit_note").exists()

    partial = operator.post(page + "credit/", {"reason": "The gold VM was down.", "what": "lines", "lines": ["2"]})
    assert partial.status_code == 302 and partial["Location"] == "/billing/invoices/A-2026-000001/"
    note = Invoice.objects.get(number="A-2026-000001")
    assert (note.credits, note.total_ht, note.reason) == (invoice, Decimal("-100.83"), "The gold VM was down.")
    again = operator.post(page + "credit/", {"reason": "Again.", "what": "lines", "lines": ["2"]})
    assert again.status_code == 400 and "line 2 was invoiced €100.83 HT" in text(again)

    full = operator.post(page + "credit/", {"reason": "Never billable.", "what": "all"})
    assert full["Location"] == "/billing/invoices/A-2026-000002/"
    assert Invoice.objects.get(number="A-2026-000002").total_ht == Decimal("-48.13")
    nothing_left = operator.post(page + "credit/", {"reason": "Once more.", "what": "all"})
    assert nothing_left.status_code == 400 and "nothing is left to credit" in text(nothing_left)
    assert "Issue a credit note" not in text(operator.get("/billing/invoices/A-2026-000002/")), "not of a note"


# ------------------------------------------------------------------------------------------------ spending
def test_the_manager_sees_spending_by_project_net_of_credit_notes_and_the_current_draft(issued):
    w = issued.w
    held(w.project, issued.gold, VM, midnight(2025, 1, 1), name="gold")  # after Q1 was issued: in Q2's draft only
    invoicing.credit(issued.cnrs_invoice, "Half the quarter down.", [1])
    manager = client_of(w.manager)
    year = text(manager.get("/billing/establishment/cnrs/?year=2026"))
    assert "jets €48.13 -€48.13 €0.00" in year
    assert "2026Q2 so far: a draft, an estimate" in year
    assert re.search(r"jets €148\.96 Total \(draft\) €148\.96", year), "Q2 so far: the bronze and the gold VM"
    assert "Nothing issued in this period." in text(manager.get("/billing/establishment/cnrs/?year=2026&quarter=2"))
    assert "Nothing issued in this period." in text(manager.get("/billing/establishment/cnrs/?year=2025"))
    wrong = manager.get("/billing/establishment/cnrs/?year=twenty&quarter=5")
    assert wrong.status_code == 400
    operator = client_of(w.operator)
    assert operator.get("/billing/establishment/ehess/").status_code == 200


# ------------------------------------------------------------------------------------------------ a project's costs
def test_a_projects_costs_show_to_its_pi_and_payers_managers_not_to_a_student(issued, user_factory):
    w = issued.w
    student = user_factory("phd")
    ProjectMembership.objects.create(project=w.project, user=student, role="member")
    page = "/projects/jets/"
    for who in (w.pi, w.manager, w.operator):
        shown = text(client_of(who).get(page))
        assert "Costs" in shown and "2026Q1 €48.13" in shown, who
        assert "2026Q2 so far (draft, an estimate)" in shown and "Total (draft) €48.13" in shown, who
    student_page = client_of(student).get(page)
    assert student_page.status_code == 200 and 'id="project-costs"' not in student_page.content.decode()
    assert "€48.13" not in text(student_page)
    # The other establishment's manager does not see the project at all.
    assert client_of(issued.ehess_manager).get(page).status_code == 404


def test_the_invoice_page_costs_the_same_queries_for_2_lines_as_for_20(shop):
    """Lines of different sizes (each its own line), then a credit note of two of them: the page reads the lines,
    the annex and the credit notes once each."""
    w = shop.w
    operator = client_of(w.operator)

    def queries(vms: int) -> tuple[int, int]:
        project = paying(shop, f"lines{vms}", vms=0).projects.get()
        for index in range(vms):
            held(project, shop.bronze, {**VM, "vcpu": str(index + 1)}, midnight(2025, 1, 1), name=f"vm{index}")
        invoice = invoicing.issue(project.paying_establishment, Q1).invoice
        invoicing.credit(invoice, "Two lines down.", [1, 2])
        page = f"/billing/invoices/{invoice.number}/"
        operator.get(page)
        with CaptureQueriesContext(connection) as captured:
            assert operator.get(page).status_code == 200
        return len(captured), invoice.lines.count()

    (few, two), (many, twenty) = queries(2), queries(20)
    assert (two, twenty) == (2, 20) and few == many


def test_the_committees_hours_show_in_the_annex_and_in_the_projects_costs_valued_and_not_invoiced(shop, decided):
    """1 000 core-hours and 10 GPU hours in Q1 on the committee's 100 000 granted: 15.00 € HT at the academic price,
    in the invoice's annex and on the project's page; the same hours in Q2 in the draft's."""
    w = shop.w
    for index, (month, day) in enumerate([(2, 5), (2, 20), (4, 2)]):
        UsageRecord.objects.create(
            source="slurm:mesocentre",
            external_id=str(index),
            account=account_name(w.project.code),
            ended_at=midnight(2026, month, day) + datetime.timedelta(hours=12),
            cpu_seconds=500 * 3600,
            gpu_seconds=5 * 3600,
        )
    invoice = invoicing.issue(w.cnrs, Q1).invoice
    shown = text(client_of(w.manager).get(f"/billing/invoices/{invoice.number}/"))
    assert "Annex: the committee's hours, not invoiced" in shown
    assert "jets 1,000 100,000 10 500 €15.00" in shown and "Total HT €0.00" in shown
    costs_ = text(client_of(w.pi).get("/projects/jets/"))
    assert "2026Q1: committee hours received: 1,000 h, valued €15.00 HT, not invoiced." in costs_
    assert "Committee hours received: 500 h (of 100,000 h granted), valued €7.50 HT, not invoiced." in costs_
