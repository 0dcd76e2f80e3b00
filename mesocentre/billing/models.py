"""Billing's models: the issued invoices and credit notes (``invoice_models``)."""

from mesocentre.billing.invoice_models import (  # noqa: F401
    Invoice,
    InvoiceAnnexLine,
    InvoiceCounter,
    InvoiceLine,
)
