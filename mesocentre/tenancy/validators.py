"""Identifiers French public invoicing needs, and the Unix login the clusters will know a user by."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mesocentre.core.names import is_system_name

UNIX_LOGIN_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    # La Poste's establishments (SIREN 356000000) use a digit-sum rule instead of Luhn.
    if not re.fullmatch(r"\d{14}", value or ""):
        raise ValidationError(_("A SIRET is exactly 14 digits."), code="siret_format")
    if value.startswith("356000000"):
        if sum(int(c) for c in value) % 5:
            raise ValidationError(_("This SIRET fails its check digit."), code="siret_checksum")
    elif not luhn_ok(value):
        raise ValidationError(_("This SIRET fails its check digit (Luhn)."), code="siret_checksum")


def validate_french_vat(value: str) -> None:
    """FR + 2-digit key + SIREN, the key being (12 + 3 × (SIREN mod 97)) mod 97."""
    match = re.fullmatch(r"FR(\d{2})(\d{9})", value or "")
    if not match:
        raise ValidationError(_("A French VAT number is FR, two digits, then the 9-digit SIREN."), code="vat_format")
    key, siren = int(match.group(1)), int(match.group(2))
    if key != (12 + 3 * (siren % 97)) % 97:
        raise ValidationError(_("This VAT number's key does not match its SIREN."), code="vat_checksum")


def validate_unix_login(value: str) -> None:
    if not UNIX_LOGIN_RE.fullmatch(value or ""):
        raise ValidationError(
            _("A Unix login is 1 to 32 characters: lowercase letters, digits, '_' or '-', not starting with a digit."),
            code="unix_login",
        )
    if is_system_name(value):
        raise ValidationError(
            _("%(login)s is a system account's name: the clusters would give its rights to this user."),
            code="unix_login_reserved",
            params={"login": value},
        )
