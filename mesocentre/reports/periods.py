"""The period a report covers: a year, or one quarter of it; and who may read which establishments' figures."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from mesocentre.core.roles import is_operator
from mesocentre.tenancy.models import Establishment

FIRST_YEAR, LAST_YEAR = 2000, 2999


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # 1 to 4; None: the whole year

    @classmethod
    def of(cls, year, quarter=None) -> Period:
        """From what a caller typed (text or numbers): a refusal names the field and the rule."""
        year_value = _whole(year, "year", FIRST_YEAR, LAST_YEAR)
        quarter_value = None if quarter in (None, "") else _whole(quarter, "quarter", 1, 4)
        return cls(year_value, quarter_value)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The day after the period (excluded)."""
        if self.quarter in (None, 4):
            return datetime.date(self.year + 1, 1, 1)
        return datetime.date(self.year, 3 * self.quarter + 1, 1)

    @property
    def quarters(self) -> list[str]:
        """The quarters as invoices name them (2026Q4)."""
        numbers = range(1, 5) if self.quarter is None else [self.quarter]
        return [f"{self.year}Q{n}" for n in numbers]

    def __str__(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}Q{self.quarter}"


def _whole(value, field: str, low: int, high: int) -> int:
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise ValidationError({field: _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}})
    return int(text)


def month_hours(year: int, month: int) -> int:
    """The hours of a calendar month: its days (28 to 31, leap years counted) × 24."""
    return calendar.monthrange(year, month)[1] * 24


def year_hours(year: int) -> int:
    return (366 if calendar.isleap(year) else 365) * 24


def scope_of(user) -> frozenset[int] | None:
    """The establishments whose figures ``user`` reads: None for operators (every one), the ids of those they manage
    for an establishment's managers; anyone else is refused (a project's figures are on its own page)."""
    if is_operator(user):
        return None
    if not user.is_authenticated:
        raise PermissionDenied
    ids = frozenset(Establishment.objects.managed_by(user).values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied(_("The reports are for operators and establishments' managers."))
    return ids
