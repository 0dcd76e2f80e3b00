"""Billing's models: the issued invoices and credit notes (``invoice_models``), which issued line priced each
usage record (``priced_models``), the numbered quotes (``quote_models``), the invoices' Chorus Pro deposits
(``chorus.models``), the budgets and their alerts (``budget_models``)."""

from mesocentre.billing.budget_models import Budget, BudgetAlert  # noqa: F401
from mesocentre.billing.chorus.models import ChorusDeposit  # noqa: F401
from mesocentre.billing.invoice_models import (  # noqa: F401
    Invoice,
    InvoiceAnnexLine,
    InvoiceCounter,
    InvoiceLine,
)
from mesocentre.billing.priced_models import PricedUsage  # noqa: F401
from mesocentre.billing.quote_models import QuoteDocument  # noqa: F401
