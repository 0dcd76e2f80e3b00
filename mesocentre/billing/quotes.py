"""Issuing a numbered quote (devis) from a calculator basket: the verb the command line, the API and the portal's
calculator page call. The basket is validated and priced exactly as the calculator prices it
(``api.serializers.QuoteRequestSerializer``), so a numbered quote says to the cent what the calculator said."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from mesocentre.billing.calculator import Quote
from mesocentre.billing.invoicing import QUOTE, numbered, seller
from mesocentre.billing.quote_models import QuoteDocument


def _plain(value):
    """The validated request in JSON's terms: decimals and dates as the API writes them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def issue(quote: Quote, basket: dict, requested_by: str = "") -> QuoteDocument:
    """Freeze ``quote`` (the calculator's answer to ``basket``, its validated request) under the next D number."""
    data = quote.as_dict()
    with transaction.atomic():
        document = QuoteDocument(
            requested_by=requested_by,
            period=quote.period,
            price_list=quote.price_list.code,
            prices_of=quote.day,
            basket=_plain(basket),
            lines=[{k: v for k, v in line.items() if k != "display"} for line in data["lines"]],
            vat=[{"rate": vat["rate"], "amount": vat["amount"]} for vat in data["vat"]],
            total_ht=Decimal(data["total_ht"]),
            total_vat=Decimal(data["total_vat"]),
            total_ttc=Decimal(data["total_ttc"]),
            **seller(),
        )
        # The number last, as for invoices: the counter stays locked until this transaction commits.
        document.number, document.issued_at = numbered(QUOTE)
        document.save()
    return document
