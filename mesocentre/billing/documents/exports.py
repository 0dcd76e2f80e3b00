"""One entry point for every format an issued invoice or credit note is exported in, for the command line and the
portal alike: ``export(invoice, "pdf" | "facturx" | "xml" | "csv", language)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mesocentre.billing.documents import csv, facturx, pdf
from mesocentre.billing.invoice_models import Invoice


@dataclass(frozen=True)
class Format:
    content_type: str
    suffix: str  # of the file name, after the invoice's number
    make: Callable[[Invoice, str], bytes]


FORMATS: dict[str, Format] = {
    "pdf": Format("application/pdf", ".pdf", pdf.invoice_pdf),
    "facturx": Format(
        "application/pdf",
        "-facturx.pdf",
        lambda invoice, language: facturx.facturx_pdf(invoice, pdf.invoice_pdf(invoice, language), language),
    ),
    "xml": Format("application/xml", "-facturx.xml", lambda invoice, language: facturx.build_xml(invoice)),
    "csv": Format("text/csv; charset=utf-8", ".csv", csv.invoice_csv),
}


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    filename: str


def export(invoice: Invoice, format: str, language: str) -> Document:
    """The invoice in ``format`` (a key of FORMATS; KeyError otherwise), its words in ``language``."""
    chosen = FORMATS[format]
    return Document(chosen.make(invoice, language), chosen.content_type, f"{invoice.number}{chosen.suffix}")
