from decimal import Decimal

from django import template
from django.utils import formats

from mesocentre.core import formatting
from mesocentre.core.formatting import decimals_of, localized

register = template.Library()


@register.filter
def tariff(value) -> str:
    """A price in the page's language with the decimals it needs: 50,00 — 0,366667 in French."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    return formats.number_format(value, decimal_pos=decimals_of(value), use_l10n=True)


@register.filter(name="localized")
def localized_filter(obj, field: str) -> str:
    """{{ offering|localized:"name" }}: the French wording on French pages when the data has one."""
    return localized(obj, field)


# The figures of every page, from core.formatting: {{ hours|number }}, {{ price|money }}, {{ d|day }}, {{ t|moment }}.
@register.filter(name="number")
def number_filter(value, decimals=None) -> str:
    return formatting.number(value, None if decimals in (None, "") else int(decimals))


@register.filter(name="money")
def money_filter(value) -> str:
    return formatting.money(value)


@register.filter(name="day")
def day_filter(value) -> str:
    return formatting.day(value)


@register.filter(name="moment")
def moment_filter(value) -> str:
    return formatting.moment(value)
