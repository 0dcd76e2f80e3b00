"""The invoices' list in the portal (its rows come from ``filtersets.InvoiceFilterSet``)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.invoice_models import Invoice
from mesocentre.core.formatting import moment, money
from mesocentre.core.tables import BaseTable


class InvoiceTable(BaseTable):
    """Rows from ``Invoice.objects`` with ``establishment`` and ``credits`` selected."""

    caption = _("Invoices and credit notes, newest first")
    number = tables.LinkColumn("billing:invoice_detail", args=[tables.A("number")], verbose_name=_("Number"))
    kind = tables.Column(verbose_name=_("Kind"))
    establishment = tables.Column(accessor="establishment__name", verbose_name=_("Establishment"))
    quarter = tables.Column(verbose_name=_("Quarter"))
    issued_at = tables.Column(verbose_name=_("Issued"))
    credits = tables.Column(empty_values=(), order_by=("credits__number",), verbose_name=_("Corrects"))
    total_ht = tables.Column(verbose_name=_("Total HT"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    total_ttc = tables.Column(verbose_name=_("Total TTC"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    class Meta(BaseTable.Meta):
        model = Invoice
        fields = ()
        order_by = ("-issued_at",)
        empty_text = _("No invoice matches.")

    def render_kind(self, record) -> str:
        return record.get_kind_display()

    def render_issued_at(self, value) -> str:
        return moment(value)

    def render_credits(self, record) -> str:
        return record.credits.number if record.credits_id else "—"

    def render_total_ht(self, value) -> str:
        return money(value, cents=True)

    def render_total_ttc(self, value) -> str:
        return money(value, cents=True)
