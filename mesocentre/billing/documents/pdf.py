"""HTML to PDF/A-3b with WeasyPrint (Pango renders the text; fonts are embedded, as PDF/A wants)."""

from __future__ import annotations

from mesocentre.billing.documents.html import invoice_html, quote_html
from mesocentre.billing.invoice_models import Invoice


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported when a document is printed: it loads Pango

    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


def invoice_pdf(invoice: Invoice, language: str) -> bytes:
    return to_pdf(invoice_html(invoice, language))


def quote_pdf(document, language: str) -> bytes:
    return to_pdf(quote_html(document, language))
