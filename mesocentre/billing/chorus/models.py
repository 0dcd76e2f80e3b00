"""What became of each invoice sent to Chorus Pro: the deposit's flux number and Chorus's last word on it.

The invoice itself never changes (``invoice_models.Issued``); this row beside it is written when the deposit is
queued (in the transaction that issues the invoice) and updated by the driver as Chorus answers.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.billing.invoice_models import Invoice
from mesocentre.core.models import ScopedQuerySet, TimestampedModel


class ChorusDepositQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Whoever reads the invoice reads what became of its deposit."""
        return self.filter(invoice__in=Invoice.objects.visible_to(user))


class ChorusDeposit(TimestampedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("Chorus Pro deposit status", "queued")
        DEPOSITED = "deposited", pgettext_lazy("Chorus Pro deposit status", "deposited, being processed")
        INTEGRATED = "integrated", pgettext_lazy("Chorus Pro deposit status", "integrated")
        REJECTED = "rejected", pgettext_lazy("Chorus Pro deposit status", "rejected")

    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="chorus_deposit", verbose_name=_("invoice")
    )
    flux_number = models.CharField(
        _("flux number"), max_length=50, blank=True, help_text=_("numeroFluxDepot, as Chorus Pro gave it.")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    chorus_status = models.CharField(
        _("Chorus Pro status"), max_length=50, blank=True, help_text=_("etatCourantDepotFlux, as Chorus Pro said it.")
    )
    status_text = models.TextField(_("status text"), blank=True)
    deposited_at = models.DateTimeField(_("deposited at"), null=True, blank=True)
    status_at = models.DateTimeField(_("status read at"), null=True, blank=True)

    objects = ChorusDepositQuerySet.as_manager()

    class Meta:
        verbose_name = _("Chorus Pro deposit")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "deposited", "integrated", "rejected"]),
                name="billing_chorusdeposit_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="queued") | ~Q(flux_number=""),
                name="billing_chorusdeposit_deposited_has_flux",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.get_status_display()}"
