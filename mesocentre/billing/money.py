"""The rounding rules, written down once: the calculator's quotes (and the invoices to come) price through these.

- Prices are held HT with up to eight decimals (the tariff quantum, finer than the cent: a core-hour, a backup
  GB-year at 0.36666667).
- A line's unit price HT keeps its precision: a usage price as the catalogue holds it; a subscription's (a VM, a
  rack) is the yearly sum of its components (each size × its price) × the period's fraction (1 for a year, 0.25
  for a quarter). Both are held at the tariff quantum, rounded half-up where they have more decimals than that (a
  quarter of an odd price, a margin on a fine one), which moves a line by less than a cent per 10^6 units. Never
  to the cent.
- A line's amount HT is quantity × unit price, rounded half-up to the cent: the only rounding of a line.
- Identical things (same offering kind, plan, sizes and period) are one line with their counts summed, so n of
  them cost the same whether they were asked for one by one or as one with a count.
- Total HT is the sum of the lines' amounts. VAT is computed once per VAT rate on the total HT of that rate,
  rounded half-up to the cent; total TTC = total HT + VAT.
- Every rounding is half-up (0.005 → 0.01), the usual commercial rule in France.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# The tariff quantum: the catalogue's prices (``catalogue.Price.amount``) and every unit price on a line.
TARIFF_DECIMALS = 8
TARIFF = Decimal(1).scaleb(-TARIFF_DECIMALS)


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_tariff(value: Decimal) -> Decimal:
    """A unit price at the tariff's precision, half-up (unchanged in value when it has eight decimals or fewer)."""
    return value.quantize(TARIFF, rounding=ROUND_HALF_UP)


def period_unit_price(yearly: Decimal, fraction: Decimal) -> Decimal:
    """The unit price of a subscription for a period: its yearly price × the period's fraction of a year."""
    return to_tariff(yearly * fraction)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """A line's amount HT: the one rounding of a line, to the cent."""
    return to_cents(quantity * unit_price)


def vat_by_rate(lines: Iterable[tuple[Decimal, Decimal]]) -> dict[Decimal, Decimal]:
    """VAT per rate (in percent) on the total HT of that rate, from ``(rate, amount HT)`` pairs; rates in order."""
    bases: dict[Decimal, Decimal] = defaultdict(Decimal)
    for rate, amount in lines:
        bases[rate] += amount
    return {rate: to_cents(base * rate / 100) for rate, base in sorted(bases.items())}
