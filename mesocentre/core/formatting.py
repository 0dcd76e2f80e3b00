"""How figures are written: for machines (``plain``: at least two decimals, no trailing noise beyond them), and for
people, in their language (``number``, ``money``, ``percent``, ``day``, ``moment``, below)."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")


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


# ---- Figures as people read them, one way per language (Babel's CLDR data): pages, e-mails, exports and the command
# line's tables all go through these, so "1500000" and "12/01/2026 6:05 p.m." cannot come back from one corner.
#
#   number(1500000)               '1,500,000'          '1 500 000' (U+202F narrow no-break spaces)
#   number(Decimal("2.5"), 0)     '3'                  '3'         (half-up, as every rounding of the platform)
#   money(Decimal("192.5"))       '€192.50'            '192,50 €'  (U+00A0 before the euro sign)
#   money(Decimal("0.366667"))    '€0.366667'          '0,366667 €' (a unit price keeps every decimal it has)
#   money(x, cents=True)          an amount: x rounded half-up to the cent first
#   percent(Decimal("20.00"))     '20%'                '20 %'      (the value is in percent already)
#   day(date(2026, 12, 1))        '1 Dec 2026'         '1 déc. 2026'
#   moment(aware datetime)        '1 Dec 2026, 18:05'  '1 déc. 2026, 18:05' (in the centre's time zone)
#
# Each takes ``language`` ("en", "fr", "fr-fr"…; the active one by default), and writes None or "" as "".
# A form's input keeps a plain number (``<input type=number value=…>``): these are for reading, never for parsing.
BABEL_LOCALES = {"en": "en_GB", "fr": "fr_FR"}  # a European centre: 1 Dec 2026, 24-hour clock


def babel_locale(language: str | None = None) -> str:
    """The CLDR locale of ``language`` (default: the active one); English unless it is French."""
    from django.utils.translation import get_language

    code = (language or get_language() or "en").replace("_", "-").split("-")[0].lower()
    return BABEL_LOCALES.get(code, BABEL_LOCALES["en"])


def _decimal(value) -> Decimal:
    """An int, a float, a Decimal or a numeric string as a Decimal (a float by its shortest repr: 0.1 is 0.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(f"{value!r} is not a figure")
    return Decimal(str(value).strip())


def _unsigned_zero(value: Decimal) -> Decimal:
    """-0 and -0.00 (what rounding -0.4 gives) read as 0 and 0.00."""
    return value.copy_abs() if value.is_zero() else value


def number(value, decimals: int | None = None, language: str | None = None) -> str:
    """1500000 → '1,500,000' / '1 500 000'; every decimal the value has, or exactly ``decimals`` (rounded half-up)."""
    if value in (None, ""):
        return ""
    # Keyed by the Decimal's text, which keeps its exponent: 1 and 1.0 are equal, and hash alike, but read differently.
    return _number(str(_decimal(value)), decimals, babel_locale(language))


# Babel takes 20 to 50 µs a figure (it parses the locale and the pattern each time); a usage chart of a year writes
# 365 days and 365 totals. The same figures come back on every page, in two languages: they are remembered.
@lru_cache(maxsize=8192)
def _number(text: str, decimals: int | None, locale: str) -> str:
    from babel.numbers import format_decimal

    value = Decimal(text)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(_unsigned_zero(value), format=pattern, locale=locale, decimal_quantization=False)
    return format_decimal(_unsigned_zero(value), locale=locale, decimal_quantization=False)


def money(value, language: str | None = None, *, cents: bool = False) -> str:
    """Euros: '€192.50' / '192,50 €'. At least two decimals and every further one the value has, so a unit price
    shows all of its own ('€0.366667'); with ``cents`` the value is an amount, rounded half-up to the cent first
    (the platform's amounts are already: ``billing.money.to_cents``)."""
    from babel.numbers import format_currency

    if value in (None, ""):
        return ""
    value = _decimal(value)
    if cents:
        value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return format_currency(
        _unsigned_zero(Decimal(plain(value))), "EUR", locale=babel_locale(language), decimal_quantization=False
    )


def percent(value, decimals: int | None = None, language: str | None = None) -> str:
    """A figure already in percent (a VAT rate of 20.00, a share of 12.5): '20%' / '20 %', '12.5%' / '12,5 %'."""
    from babel.numbers import format_percent

    if value in (None, ""):
        return ""
    value = _decimal(value)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    else:
        value = value.normalize()  # 20.00 → 20, 5.50 → 5.5
    fraction = _unsigned_zero(value).scaleb(-2)
    return format_percent(fraction, locale=babel_locale(language), decimal_quantization=False)


def _local(value):
    """An aware datetime in the centre's time zone (``settings.TIME_ZONE``); a naive one is taken as already in it."""
    from django.utils import timezone

    return timezone.localtime(value, timezone.get_default_timezone()) if timezone.is_aware(value) else value


def day(value, language: str | None = None) -> str:
    """A date nobody reads the wrong way round: '1 Dec 2026' / '1 déc. 2026'. A datetime gives its day in the
    centre's time zone; an ISO string ('2026-12-01', as the API writes a date) is read first."""
    import datetime

    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return _day(value, babel_locale(language))


@lru_cache(maxsize=8192)
def _day(value, locale: str) -> str:
    """A date (never a datetime: it is a date, but would be another key) in ``locale``, remembered as ``_number``."""
    from babel.dates import format_date

    return format_date(value, "medium", locale=locale)


def moment(value, language: str | None = None) -> str:
    """A time in the centre's time zone: '1 Dec 2026, 18:05' / '1 déc. 2026, 18:05'. A naive datetime is taken as
    already in that zone (Django's rule); a date alone has no time, and is written as ``day`` writes it."""
    import datetime

    from babel.dates import format_time, get_datetime_format

    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if not isinstance(value, datetime.datetime):
        return day(value, language)
    value = _local(value)
    locale = babel_locale(language)
    pattern = get_datetime_format("medium", locale=locale).replace("'", "")
    return pattern.replace("{1}", day(value, language)).replace("{0}", format_time(value, "short", locale=locale))
