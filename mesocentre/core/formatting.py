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


# ---- Figures as people read them, one way per language (Babel's CLDR data): pages, e-mails, exports and the command
# line's tables all go through these, so "1500000" and "12/01/2026 6:05 p.m." cannot come back from one corner.
BABEL_LOCALES = {"en": "en_GB", "fr": "fr_FR"}  # a European centre: 1 Dec 2026, 24-hour clock


def babel_locale(language: str | None = None) -> str:
    """The CLDR locale of ``language`` (default: the active one); English unless it is French."""
    from django.utils.translation import get_language

    code = (language or get_language() or "en").split("-")[0].lower()
    return BABEL_LOCALES.get(code, BABEL_LOCALES["en"])


def number(value, decimals: int | None = None, language: str | None = None) -> str:
    """1500000 → '1,500,000' / '1 500 000' (narrow no-break spaces); ``decimals`` fixes the decimals shown."""
    from babel.numbers import format_decimal

    if value in (None, ""):
        return ""
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals))
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=babel_locale(language), decimal_quantization=False)
    return format_decimal(value, locale=babel_locale(language), decimal_quantization=False)


def money(value, language: str | None = None) -> str:
    """Euros, at least two decimals and every decimal a unit price has: '€192.50' / '192,50 €', '€0.366667'."""
    from babel.numbers import format_currency

    if value in (None, ""):
        return ""
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return format_currency(Decimal(plain(value)), "EUR", locale=babel_locale(language), decimal_quantization=False)


def day(value, language: str | None = None) -> str:
    """A date nobody reads the wrong way round: '1 Dec 2026' / '1 déc. 2026'. A datetime is shown in local time."""
    import datetime

    from babel.dates import format_date
    from django.utils import timezone

    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return format_date(value, "medium", locale=babel_locale(language))


def moment(value, language: str | None = None) -> str:
    """A time in the centre's time zone: '1 Dec 2026, 18:05' / '1 déc. 2026, 18:05'."""
    from babel.dates import format_time, get_datetime_format
    from django.utils import timezone

    if value in (None, ""):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = babel_locale(language)
    pattern = get_datetime_format("medium", locale=locale).replace("'", "")
    return pattern.replace("{1}", day(value, language)).replace("{0}", format_time(value, "short", locale=locale))
