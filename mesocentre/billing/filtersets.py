"""Filters of the invoices' list (the portal's page; the API may share them)."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.invoice_models import Invoice
from mesocentre.billing.rating import Quarter
from mesocentre.core.tables import SearchFilterSet
from mesocentre.tenancy.models import Establishment


def valid_quarter(value: str) -> None:
    """A quarter that is not one is refused on the field (the page answers 400), not read as no filter."""
    try:
        Quarter.parse(value)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict["quarter"]) from None


class InvoiceFilterSet(SearchFilterSet):
    search_fields = ("number",)
    kind = django_filters.ChoiceFilter(choices=Invoice.Kind.choices, label=_("Kind"))
    quarter = django_filters.CharFilter(
        method="in_quarter", label=_("Quarter"), help_text=_("As 2026Q4."), validators=[valid_quarter], max_length=6
    )
    establishment = django_filters.ModelChoiceFilter(
        queryset=Establishment.objects.all(), to_field_name="code", label=_("Establishment")
    )

    class Meta:
        model = Invoice
        fields = ["q", "kind", "quarter", "establishment"]

    def in_quarter(self, queryset, name: str, value: str):
        return queryset.filter(quarter=str(Quarter.parse(value))) if value else queryset
