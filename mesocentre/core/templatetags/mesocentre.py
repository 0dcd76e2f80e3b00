from decimal import Decimal

from django import template
from django.utils import formats

from mesocentre.core.formatting import decimals_of

register = template.Library()


@register.filter
def tariff(value) -> str:
    """A price in the page's language with the decimals it needs: 50,00 — 0,366667 in French."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    return formats.number_format(value, decimal_pos=decimals_of(value), use_l10n=True)
