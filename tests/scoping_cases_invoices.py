"""The permission cases of billing's invoices API (read-only), part of scoping_cases.CASES: an establishment's
managers read its invoices and credit notes, operators every one, nobody else any — nor another establishment's."""

from scoping_table import Case, api, by_role, of
from scoping_world import AUTHENTICATED, MANAGERS_A

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
]
