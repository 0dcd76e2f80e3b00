from decimal import Decimal

from django import template

from mesocentre.core import formatting

register = template.Library()


@register.filter
def quantity(value) -> str:
    """A quantity as stored (8 decimals: hours are seconds ÷ 3600) without its trailing zeros: 2 vCPU, 1,5 h."""
    if value in (None, ""):
        return ""
    value = Decimal(str(value)).normalize()
    return formatting.number(value.quantize(1) if value == value.to_integral() else value)  # 1E+2 → 100
