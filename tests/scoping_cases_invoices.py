"""The permission cases of billing's invoices API (read-only) and documents, part of scoping_cases.CASES: an
establishment's managers read its invoices and credit notes, operators every one, nobody else any — nor another
establishment's. Anyone signed in issues a numbered quote; the anonymous may not."""

import json

from scoping_table import Case, Write, api, by_role, of, patch
from scoping_world import AUTHENTICATED, MANAGERS_A

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
