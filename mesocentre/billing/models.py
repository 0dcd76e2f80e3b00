"""Billing's models: the issued invoices and credit notes (``invoice_models``), the numbered quotes
(``quote_models``)."""

from mesocentre.billing.invoice_models import (  # noqa: F401
    Invoice,
    InvoiceAnnexLine,
    InvoiceCounter,
    InvoiceLine,
)
from mesocentre.billing.quote_models import QuoteDocument  # noqa: F401
