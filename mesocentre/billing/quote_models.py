"""Numbered quotes (devis): a calculator basket priced and frozen on the day it was issued, numbered
``D-2026-000001`` in a continuous sequence per year (``invoicing.next_number``'s locked counter, series D), never
changed afterwards (``Issued``; on PostgreSQL the invoices' trigger guards its table too, migration 0002)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.invoice_models import MONEY, Issued


class QuoteDocument(Issued):
    number = models.CharField(_("number"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    requested_by = models.CharField(
        _("requested by"),
        max_length=150,
        blank=True,
        help_text=_("The username of who asked for it; empty from the command line."),
    )
    period = models.CharField(_("period"), max_length=10)
    price_list = models.CharField(_("price list"), max_length=30)
    prices_of = models.DateField(_("prices of"))
    # The calculator's request as it was validated, and what it answered: its lines and VAT in plain decimals.
    basket = models.JSONField(_("basket"))
    lines = models.JSONField(_("lines"))
    vat = models.JSONField(_("VAT"))
    total_ht = models.DecimalField(_("total HT"), **MONEY)
    total_vat = models.DecimalField(_("total VAT"), **MONEY)
    total_ttc = models.DecimalField(_("total TTC"), **MONEY)
    seller_name = models.CharField(_("seller's name"), max_length=200)
    seller_siret = models.CharField(_("seller's SIRET"), max_length=14, blank=True)
    seller_vat_number = models.CharField(_("seller's VAT number"), max_length=13, blank=True)
    seller_address = models.TextField(_("seller's address"), blank=True)

    class Meta:
        verbose_name = _("numbered quote")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return self.number
