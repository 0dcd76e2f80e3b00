"""How amounts are written: at least two decimals, no trailing noise beyond them."""

from decimal import Decimal


def plain(value: Decimal) -> str:
    """0.01 → '0.01', 0.366667 → '0.366667', 50.000000 → '50.00'."""
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def decimals_of(value: Decimal) -> int:
    return max(2, len(plain(value).partition(".")[2]))


def localized(obj, field: str) -> str:
    """Reference data carries its French wording in ``<field>_fr``; fall back to the English one."""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("fr"):
        french = getattr(obj, f"{field}_fr", "")
        if french:
            return french
    return getattr(obj, field)
