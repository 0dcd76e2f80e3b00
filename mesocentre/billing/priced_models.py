"""Which issued line priced each usage record and each measured energy (``PricedUsage``), so that nothing is billed
twice or forgotten.

Metering is below billing, so the link lives here: ``invoicing.issue`` writes one row per record (or measure) the
invoice accounted for, in the transaction that inserts the invoice. A record's core-hours and GPU hours are on two
lines of the same invoice (``line`` and ``gpu_line``); the part of its hours the committee granted is in the annex
(``annex_line``): an academic project holding hours of both kinds may have a record split between the two. A record
with neither (a job of no allocated seconds) is still accounted for, by its invoice alone.

A record is accounted for once (a unique constraint on the record, one on the energy), whatever happens after: a
credit note corrects the money of an invoice, not the usage, so a record it takes back is not priced again (a new
bill for it is a new invoice line made by hand, never a silent re-pricing). Drafts price only the records without
a row here (``rating``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.invoice_models import Invoice, InvoiceAnnexLine, InvoiceLine, Issued
from mesocentre.metering.models import MeasuredEnergy, UsageRecord


class PricedUsage(Issued):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="priced_usage", verbose_name=_("invoice")
    )
    record = models.OneToOneField(
        UsageRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="priced",
        verbose_name=_("usage record"),
    )
    energy = models.OneToOneField(
        MeasuredEnergy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="priced",
        verbose_name=_("measured energy"),
    )
    # The line of its core-hours (a record) or of its kWh (an energy); of its GPU hours; of the committee's hours.
    line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("line")
    )
    gpu_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("GPU line")
    )
    annex_line = models.ForeignKey(
        InvoiceAnnexLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annex line"),
    )

    class Meta:
        verbose_name = _("priced usage")
        verbose_name_plural = _("priced usage")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(record__isnull=False, energy__isnull=True)
                    | Q(record__isnull=True, energy__isnull=False, gpu_line__isnull=True, annex_line__isnull=True)
                ),
                name="billing_pricedusage_record_or_energy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {'record ' + str(self.record_id) if self.record_id else 'energy ' + str(self.energy_id)}"
