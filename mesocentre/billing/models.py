"""Billing's models: the issued invoices and credit notes (``invoice_models``), and which issued line priced each
usage record (``priced_models``)."""

from mesocentre.billing.invoice_models import (  # noqa: F401
    Invoice,
    InvoiceAnnexLine,
    InvoiceCounter,
    InvoiceLine,
)
from mesocentre.billing.priced_models import PricedUsage  # noqa: F401
