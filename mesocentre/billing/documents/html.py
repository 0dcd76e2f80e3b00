"""The documents as HTML, in a language: what ``pdf`` prints. Every figure goes through ``core.formatting`` and
every word through gettext, with the language of the buyer or of the caller active while the template renders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mesocentre.billing.documents.facturx import PAYMENT_DAYS, vat_breakdown
from mesocentre.billing.invoice_models import Invoice
from mesocentre.core.formatting import day, money, number, percent

ZERO = Decimal("0.00")


@dataclass
class Group:
    """The lines of one project and one offering, with their subtotal HT."""

    project: str
    offering: str
    rows: list[dict] = field(default_factory=list)
    subtotal: Decimal = ZERO

    @property
    def subtotal_display(self) -> str:
        return money(self.subtotal, cents=True)


def _row(line) -> dict:
    takes_back = ""
    if line.credits_line_id:
        takes_back = _("takes back line %(line)s of %(number)s") % {
            "line": line.credits_line.position,
            "number": line.credits_line.invoice.number,
        }
    return {
        "position": line.position,
        "description": line.description,
        "takes_back": takes_back,
        "period": f"{day(line.period_start)} – {day(line.period_end)}",
        "quantity": number(line.quantity),
        "unit": line.unit,
        "unit_price": money(line.unit_price_ht),  # every decimal it has: the tariff's precision
        "vat_rate": percent(line.vat_rate),
        "amount": money(line.amount_ht, cents=True),
    }


def grouped(lines) -> list[Group]:
    """The lines grouped by project, then offering, in the order they first appear."""
    groups: dict[tuple[str, str], Group] = {}
    for line in lines:
        group = groups.setdefault((line.project, line.offering), Group(line.project, line.offering))
        group.rows.append(_row(line))
        group.subtotal += line.amount_ht
    return list(groups.values())


def _party(name: str, address: str, **ids: str) -> dict:
    return {"name": name, "address": [line for line in address.splitlines() if line.strip()], **ids}


def invoice_context(invoice: Invoice) -> dict:
    lines = list(invoice.lines.select_related("credits_line__invoice"))
    issued = timezone.localtime(invoice.issued_at).date()
    return {
        "invoice": invoice,
        "credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        "issued": day(issued),
        "due": day(issued + datetime.timedelta(days=PAYMENT_DAYS)),
        "corrected_issued": day(invoice.credits.issued_at) if invoice.credits_id else "",
        "seller": _party(
            invoice.seller_name, invoice.seller_address, siret=invoice.seller_siret, vat=invoice.seller_vat_number
        ),
        "buyer": _party(
            invoice.buyer_name,
            invoice.buyer_address,
            siret=invoice.buyer_siret,
            vat=invoice.buyer_vat_number,
            service_code=invoice.buyer_service_code,
            purchase_order=invoice.purchase_order,
        ),
        "groups": grouped(lines),
        "vat": [
            {"rate": percent(rate), "basis": money(basis, cents=True), "amount": money(vat, cents=True)}
            for rate, basis, vat in vat_breakdown(lines)
        ],
        "total_ht": money(invoice.total_ht, cents=True),
        "total_vat": money(invoice.total_vat, cents=True),
        "total_ttc": money(invoice.total_ttc, cents=True),
        "annex": [
            {
                "project": entry.project,
                "hours": number(entry.quantity),
                "granted": number(entry.granted),
                "gpu_hours": number(entry.gpu_hours),
                "granted_gpu_hours": number(entry.granted_gpu_hours),
                "value": money(entry.value_ht, cents=True),
            }
            for entry in invoice.annex.all()
        ],
        "legal_notes": legal_notes(),
    }


def legal_notes() -> list[str]:
    """The legal mentions of a French invoice (``facturx.LEGAL_NOTES``, in French in the XML), in the reader's
    language."""
    return [
        _("Fixed compensation for recovery costs in case of late payment: €40."),
        _("Late payment penalties: the ECB's interest rate plus 8 points."),
        _("No discount for early payment."),
    ]


def invoice_html(invoice: Invoice, language: str) -> str:
    """The invoice or credit note as the HTML page its PDF prints, in ``language``."""
    with translation.override(language):
        return render_to_string("billing/documents/invoice.html", {**invoice_context(invoice), "language": language})


def quote_html(document, language: str) -> str:
    """A numbered quote (``QuoteDocument``) as the HTML page its PDF prints, in ``language``."""
    with translation.override(language):
        context = {
            "quote": document,
            "language": language,
            "issued": day(timezone.localtime(document.issued_at).date()),
            "prices_of": day(document.prices_of),
            "lines": [
                {
                    "description": line["description"],
                    "quantity": number(Decimal(line["quantity"])),
                    "unit": line["unit"],
                    "unit_price": money(Decimal(line["unit_price_ht"])),
                    "vat_rate": percent(Decimal(line["vat_rate"])),
                    "amount": money(Decimal(line["amount_ht"]), cents=True),
                }
                for line in document.lines
            ],
            "vat": [
                {"rate": percent(Decimal(v["rate"])), "amount": money(Decimal(v["amount"]), cents=True)}
                for v in document.vat
            ],
            "total_ht": money(document.total_ht, cents=True),
            "total_vat": money(document.total_vat, cents=True),
            "total_ttc": money(document.total_ttc, cents=True),
        }
        return render_to_string("billing/documents/quote.html", context)
