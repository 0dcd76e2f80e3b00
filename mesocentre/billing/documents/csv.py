"""An invoice or credit note as CSV for the establishments' accounting: one row per line.

The French way, which French accounting software (Sage, EBP, Cegid, Quadra) and a French Excel import as they
are: fields separated by ``;``, decimal comma without thousands separator, dates as DD/MM/YYYY, UTF-8 with a byte
order mark (so that Excel reads the accents), CRLF line ends. Amounts are exactly the invoice's (a credit note's
negative); quantities and unit prices keep every decimal they have.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mesocentre.billing.invoice_models import Invoice
from mesocentre.core.exports import safe_cell
from mesocentre.core.formatting import plain

DELIMITER = ";"


def decimal_comma(value: Decimal) -> str:
    """12.5 → '12,50', 0.36666667 → '0,36666667', -48.13 → '-48,13': no thousands separator, ever."""
    return plain(value).replace(".", ",")


def french_date(value) -> str:
    return value.strftime("%d/%m/%Y")


def header() -> list[str]:
    return [
        _("Invoice number"),
        _("Kind"),
        _("Date of issue"),
        _("Quarter"),
        _("Establishment"),
        _("Buyer"),
        _("Buyer's SIRET"),
        _("Chorus Pro service code"),
        _("Engagement number"),
        _("Corrects"),
        _("Line"),
        _("Project"),
        _("Offering"),
        _("Description"),
        _("First day"),
        _("Last day"),
        _("Quantity"),
        _("Unit"),
        _("Unit price HT"),
        _("Amount HT"),
        _("VAT rate"),
    ]


def rows(invoice: Invoice) -> list[list[str]]:
    issued = french_date(timezone.localtime(invoice.issued_at).date())
    kind = _("credit note") if invoice.kind == Invoice.Kind.CREDIT_NOTE else _("invoice")
    head = [
        invoice.number,
        kind,
        issued,
        invoice.quarter,
        invoice.establishment.code,
        invoice.buyer_name,
        invoice.buyer_siret,
        invoice.buyer_service_code,
        invoice.purchase_order,
        invoice.credits.number if invoice.credits_id else "",
    ]
    return [
        head
        + [
            str(line.position),
            line.project,
            line.offering,
            line.description,
            french_date(line.period_start),
            french_date(line.period_end),
            decimal_comma(line.quantity),
            line.unit,
            decimal_comma(line.unit_price_ht),
            decimal_comma(line.amount_ht),
            decimal_comma(line.vat_rate),
        ]
        for line in invoice.lines.all()
    ]


def invoice_csv(invoice: Invoice, language: str) -> bytes:
    """The invoice's lines as CSV bytes (UTF-8 with BOM), its header in ``language``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    with translation.override(language):
        writer.writerow(header())
        writer.writerows([safe_cell(cell) for cell in row] for row in rows(invoice))
    return buffer.getvalue().encode("utf-8-sig")
