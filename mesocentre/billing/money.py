"""The rounding rules, written down once.

- Prices are held HT with up to six decimals (finer than the cent: a core-hour, a backup GB-year).
- A line's unit price for a period is rounded to the cent when it is a subscription (a VM, a rack); a usage
  unit price (core-hour, kWh) keeps its decimals.
- A line's amount HT is quantity × unit price, rounded to the cent.
- Total HT is the sum of the lines' amounts. VAT is computed once per VAT rate on the total HT of that rate,
  rounded to the cent; total TTC = total HT + VAT.
- Every rounding is half-up (0.005 → 0.01), the usual commercial rule in France.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TARIFF = Decimal("0.000001")


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_tariff(value: Decimal) -> Decimal:
    return value.quantize(TARIFF, rounding=ROUND_HALF_UP)
