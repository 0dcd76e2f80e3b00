"""Issued invoices and credit notes (``billing.invoicing`` issues them): frozen copies of a quarter's draft, with the
buyer's and the seller's identities as they were on the day, numbered in a continuous sequence per year and kind.

An issued row never changes: ``save()`` refuses an existing row and ``delete()`` refuses always; on PostgreSQL a
trigger refuses UPDATE and DELETE of the invoices, their lines and their annex whatever path writes (migration
0001). A correction is a credit note, which refers to the invoice it corrects.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import ScopedQuerySet
from mesocentre.core.roles import is_operator
from mesocentre.tenancy.models import Establishment

MONEY = {"max_digits": 14, "decimal_places": 2}
# A quantity as the drafts hold it, at the tariff's precision (hours come from seconds ÷ 3600).
QUANTITY = {"max_digits": 24, "decimal_places": 8}
PRICE = {"max_digits": 20, "decimal_places": 8}


class Issued(models.Model):
    """A row written once: an insert, never an update nor a delete."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("An issued invoice never changes: correct it with a credit note."))
        self.full_clean()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An issued invoice is never deleted: correct it with a credit note."))


class InvoiceCounter(models.Model):
    """The last number given in a series (F: invoices, A: credit notes) and a year; its row is locked (``SELECT …
    FOR UPDATE``) by the transaction that inserts the next invoice, so a rollback gives its number back."""

    series = models.CharField(_("series"), max_length=1)
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice counter")
        constraints = [models.UniqueConstraint(fields=("series", "year"), name="billing_invoicecounter_unique")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last}"


class InvoiceQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Operators see every invoice; an establishment's managers their establishment's; others none."""
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(establishment__in=Establishment.objects.managed_by(user))

    def for_listing(self):
        return self.select_related("establishment", "credits").prefetch_related("lines", "annex")


class Invoice(Issued):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=20, unique=True)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("establishment")
    )
    quarter = models.CharField(_("quarter"), max_length=6)
    issued_at = models.DateTimeField(_("issued at"))
    price_list = models.CharField(_("price list"), max_length=30)
    total_ht = models.DecimalField(_("total HT"), **MONEY)
    total_vat = models.DecimalField(_("total VAT"), **MONEY)
    total_ttc = models.DecimalField(_("total TTC"), **MONEY)
    # The buyer as it was on the day of issue.
    buyer_name = models.CharField(_("buyer's name"), max_length=200)
    buyer_siret = models.CharField(_("buyer's SIRET"), max_length=14, blank=True)
    buyer_vat_number = models.CharField(_("buyer's VAT number"), max_length=13, blank=True)
    buyer_service_code = models.CharField(_("buyer's Chorus Pro service code"), max_length=100, blank=True)
    buyer_address = models.TextField(_("buyer's address"), blank=True)
    purchase_order = models.CharField(
        _("purchase order"),
        max_length=50,
        blank=True,
        help_text=_("The buyer's engagement number, given when the invoice is issued."),
    )
    # The seller (settings.MESOCENTRE_SELLER_*) as it was on the day of issue.
    seller_name = models.CharField(_("seller's name"), max_length=200)
    seller_siret = models.CharField(_("seller's SIRET"), max_length=14, blank=True)
    seller_vat_number = models.CharField(_("seller's VAT number"), max_length=13, blank=True)
    seller_address = models.TextField(_("seller's address"), blank=True)
    # A credit note: the invoice it corrects, and why.
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("corrects"),
    )
    reason = models.TextField(_("reason"), blank=True)
    # Whether the usage it priced is linked to its lines (``PricedUsage``): every invoice issued since those links
    # exist. Of one that is not, the records recorded before it was issued are taken as its (``rating.Scope``).
    links_usage = models.BooleanField(_("links the usage it priced"), default=True, editable=False)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        ordering = ["issued_at", "pk"]
        constraints = [
            # An establishment's quarter is invoiced once (its corrections are credit notes).
            models.UniqueConstraint(
                fields=("establishment", "quarter"),
                condition=Q(kind="invoice"),
                name="billing_invoice_one_per_quarter",
            ),
            models.CheckConstraint(
                condition=(Q(kind="invoice", credits__isnull=True) | Q(kind="credit_note", credits__isnull=False)),
                name="billing_invoice_credit_note_corrects_one",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self):
        if self.kind == self.Kind.CREDIT_NOTE and not self.reason.strip():
            raise ValidationError({"reason": _("A credit note says why it corrects the invoice.")})

    def as_dict(self) -> dict:
        """The drafts' JSON shape (``rating.Draft.as_dict``) with the number, the kind, the day of issue, the
        invoice a credit note corrects, and the parties."""
        return {
            "establishment": self.establishment.code,
            "number": self.number,
            "kind": self.kind,
            "quarter": self.quarter,
            "price_list": self.price_list,
            "total_ht": str(self.total_ht),
            "total_vat": str(self.total_vat),
            "total_ttc": str(self.total_ttc),
            "lines": [line.as_dict() for line in self.lines.all()],
            "annex": [entry.as_dict() for entry in self.annex.all()],
            "issued_at": self.issued_at.isoformat(),
            "credits": self.credits.number if self.credits_id else None,
            "reason": self.reason,
            "purchase_order": self.purchase_order,
            "buyer": {
                "name": self.buyer_name,
                "siret": self.buyer_siret,
                "vat_number": self.buyer_vat_number,
                "service_code": self.buyer_service_code,
                "address": self.buyer_address,
            },
            "seller": {
                "name": self.seller_name,
                "siret": self.seller_siret,
                "vat_number": self.seller_vat_number,
                "address": self.seller_address,
            },
        }


def _plain(value: Decimal) -> str:
    """As the drafts write a quantity or a unit price (``rating._plain``): a whole number bare, else as held."""
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


class InvoiceLine(Issued):
    """A line of an invoice (as the draft had it) or of a credit note (negated, pointing at the line it takes
    back). ``position`` is its number as ``invoices show`` prints it, from 1."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("invoice"))
    position = models.PositiveIntegerField(_("line"))
    project = models.CharField(_("project"), max_length=100)
    offering = models.CharField(_("offering"), max_length=100)
    description = models.TextField(_("description"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=50)
    unit_price_ht = models.DecimalField(_("unit price HT"), **PRICE)
    amount_ht = models.DecimalField(_("amount HT"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    credits_line = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_by",
        verbose_name=_("takes back"),
    )

    class Meta:
        verbose_name = _("invoice line")
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=("invoice", "position"), name="billing_invoiceline_unique")]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position}"

    def as_dict(self) -> dict:
        return {
            "line": self.position,
            "project": self.project,
            "offering": self.offering,
            "description": self.description,
            "quantity": _plain(self.quantity),
            "unit": self.unit,
            "unit_price_ht": _plain(self.unit_price_ht),
            "amount_ht": str(self.amount_ht),
            "vat_rate": str(self.vat_rate),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
        }


class InvoiceAnnexLine(Issued):
    """What the committee's hours were worth (``rating.AnnexLine``), as the draft had it on the day of issue."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="annex", verbose_name=_("invoice"))
    position = models.PositiveIntegerField(_("line"))
    project = models.CharField(_("project"), max_length=100)
    quantity = models.DecimalField(_("core-hours"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=50)
    value_ht = models.DecimalField(_("value HT"), **MONEY)
    granted = models.DecimalField(_("core-hours granted"), **QUANTITY)
    gpu_hours = models.DecimalField(_("GPU hours"), **QUANTITY)
    granted_gpu_hours = models.DecimalField(_("GPU hours granted"), **QUANTITY)
    # The first and the last day its hours counted on (empty on the annexes issued before they were kept).
    period_start = models.DateField(_("first day"), null=True, blank=True)
    period_end = models.DateField(_("last day"), null=True, blank=True)

    class Meta:
        verbose_name = _("annex line")
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=("invoice", "position"), name="billing_invoiceannexline_unique")]

    def __str__(self) -> str:
        return f"{self.invoice_id}/annex {self.position}"

    def as_dict(self) -> dict:
        return {
            "project": self.project,
            "quantity": _plain(self.quantity),
            "unit": self.unit,
            "value_ht": str(self.value_ht),
            "granted": _plain(self.granted),
            "gpu_hours": _plain(self.gpu_hours),
            "granted_gpu_hours": _plain(self.granted_gpu_hours),
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
        }
