from decimal import Decimal, InvalidOperation

from django import template

from mesocentre.core import formatting
from mesocentre.core.formatting import decimals_of, localized

register = template.Library()


def _or_as_is(write, value, *args, **kwargs) -> str:
    """A filter never breaks a page: what is not a figure (or a date) is shown as it is."""
    try:
        return write(value, *args, **kwargs)
    except (InvalidOperation, TypeError, ValueError, AttributeError):
        return value


def _decimals(argument) -> int | None:
    return None if argument in (None, "") else int(argument)


@register.filter
def tariff(value) -> str:
    """A price without its currency (a column says '(€)'), with every decimal it has: 50.00 / 0,366667 in French."""
    if value in (None, ""):
        return ""
    return _or_as_is(lambda v: formatting.number(v, decimals_of(Decimal(str(v)))), value)


@register.filter(name="localized")
def localized_filter(obj, field: str) -> str:
    """{{ offering|localized:"name" }}: the French wording on French pages when the data has one."""
    return localized(obj, field)


# The figures of every page, from core.formatting, in the page's language: {{ hours|number }}, {{ share|number:1 }},
# {{ unit_price|money }}, {{ amount|money:"cents" }}, {{ rate|percent }}, {{ d|day }}, {{ t|moment }}.
@register.filter(name="number")
def number_filter(value, decimals=None) -> str:
    return _or_as_is(formatting.number, value, _decimals(decimals))


@register.filter(name="money")
def money_filter(value, rounding=None) -> str:
    """{{ price|money }} keeps the price's decimals; {{ amount|money:"cents" }} rounds it half-up to the cent."""
    return _or_as_is(formatting.money, value, cents=rounding == "cents")


@register.filter(name="percent")
def percent_filter(value, decimals=None) -> str:
    return _or_as_is(formatting.percent, value, _decimals(decimals))


@register.filter(name="day")
def day_filter(value) -> str:
    return _or_as_is(formatting.day, value)


@register.filter(name="moment")
def moment_filter(value) -> str:
    return _or_as_is(formatting.moment, value)
