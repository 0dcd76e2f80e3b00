"""What every CSV the platform writes has in common: a cell a spreadsheet would run as a formula is quoted."""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number as the exports write it: point or comma decimals, an optional sign (a credit note's amounts are negative).
NUMBER_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value) -> str:
    """``value`` as a CSV cell that a spreadsheet never runs: a text that starts like a formula (and is not a number)
    is written with a leading apostrophe (CSV injection, OWASP)."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS and not NUMBER_RE.fullmatch(text):
        return "'" + text
    return text
