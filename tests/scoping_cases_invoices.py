"""The permission cases of billing's invoices API (read-only) and documents, part of scoping_cases.CASES: an
establishment's managers read its invoices and credit notes, operators every one, nobody else any — nor another
establishment's. Anyone signed in issues a numbered quote; the anonymous may not."""

import json

from scoping_table import Case, Ctx, Write, api, by_role, of, patch
from scoping_world import AUTHENTICATED, MANAGERS_A, NOBODY, OPERATOR

BASKET = {"period": "year", "price_list": "academic", "items": [{"kind": "hpc", "core_hours": "1000"}]}


def numbered_quotes(ctx) -> int:
    from mesocentre.billing.models import QuoteDocument

    return QuoteDocument.objects.count()


INVOICE_CASES: list[Case] = [
    api(
        "billing-api:invoice-list",
        readers=AUTHENTICATED,
        listing=by_role("billing.Invoice", manager_a=lambda w: [w.A.invoice]),
        why="everyone signed in may ask; managers get their establishment's, operators all, the others none",
    ),
    api("billing-api:invoice-detail", readers=MANAGERS_A, target=of("invoice")),
    Case(
        "billing:invoice-document",
        readers=MANAGERS_A,
        target=of("invoice"),
        kwargs=lambda invoice: {"number": invoice.number, "format": "pdf"},
        why="the invoice's PDF, scoped as the invoices API: another establishment's is a 404",
    ),
    api(
        "billing-api:quote-issue",
        readers=frozenset(),
        tenant=False,
        writes={"POST": Write(AUTHENTICATED, patch(**BASKET), state=numbered_quotes)},
        why="a numbered quote of a basket: anyone signed in takes one (their own), the anonymous none",
    ),
    Case(
        "billing:quote-issue",
        readers=frozenset(),
        tenant=False,
        writes={
            "POST": Write(
                AUTHENTICATED, lambda c: {"basket": json.dumps(BASKET, separators=(",", ":"))}, state=numbered_quotes
            )
        },
        why="the calculator page's numbered quote: POST only, for the signed-in",
    ),
]


# --- The portal's pages of the invoices: the list and one invoice scoped as the API; the drafts, issuing and
# crediting the operators'; an establishment's spending its managers'.
DRAFTED = "2025Q4"  # ended, and nothing of the world to invoice: issuing it is allowed and writes nothing


def _invoices_of(c: Ctx):
    from mesocentre.billing.models import Invoice

    return sorted(Invoice.objects.values_list("number", flat=True))


def _credit_notes_of(c: Ctx):
    return sorted(c.obj.credit_notes.values_list("number", flat=True))


INVOICE_CASES += [
    Case(
        "billing:invoice_list",
        readers=AUTHENTICATED,
        shows=lambda w, role: [w.A.invoice.number] if role in MANAGERS_A else [],
        why="everyone signed in may ask; managers get their establishment's, operators all, the others none",
    ),
    Case(
        "billing:invoice_detail",
        readers=MANAGERS_A,
        target=of("invoice"),
        kwargs=lambda invoice: {"number": invoice.number},
        shows=lambda w, role: [w.A.invoice.number],
    ),
    Case(
        "billing:invoice_credit",
        readers=NOBODY,
        target=of("invoice"),
        kwargs=lambda invoice: {"number": invoice.number},
        writes={"POST": Write(OPERATOR, lambda c: {"reason": "wrong", "what": "all"}, state=_credit_notes_of)},
        why="operators credit an invoice; its establishment's managers read it, never correct it",
    ),
    Case(
        "billing:establishment_billing",
        readers=MANAGERS_A,
        target=of("establishment"),
        kwargs=lambda establishment: {"code": establishment.code},
        shows=lambda w, role: [w.A.project.code],
    ),
    Case("billing:draft_list", readers=OPERATOR, tenant=False),
    Case(
        "billing:draft_detail",
        readers=OPERATOR,
        target=of("establishment"),
        kwargs=lambda establishment: {"quarter": DRAFTED, "code": establishment.code},
    ),
    Case(
        "billing:draft_issue",
        readers=NOBODY,
        target=of("establishment"),
        kwargs=lambda establishment: {"quarter": DRAFTED, "code": establishment.code},
        writes={"POST": Write(OPERATOR, lambda c: {"purchase_order": "EJ-1"}, state=_invoices_of, changes=False)},
        why="nothing to invoice in that quarter: the operator's issue is allowed and issues nothing",
    ),
    Case(
        "billing:draft_issue_all",
        readers=NOBODY,
        tenant=False,
        target=of("establishment"),  # the URL names a quarter, not an establishment: A's and B's are the same
        kwargs=lambda establishment: {"quarter": DRAFTED},
        writes={"POST": Write(OPERATOR, state=_invoices_of, changes=False)},
    ),
]
