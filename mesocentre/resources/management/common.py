"""What the ``orders`` and ``resources`` commands share: refusals as one line with exit status 2, and figures
written by ``core.formatting`` as on the pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from mesocentre.core import formatting


def bad_input(option: str, rule: str) -> CommandError:
    """Exit status 2 (as argparse's own refusals), naming the option and the rule."""
    return CommandError(f"{option}: {rule}", returncode=2)


def choice(option: str, value: str | None, choices: Iterable[str]) -> str | None:
    """``value`` if it is one of ``choices`` (or not given), else refused naming them."""
    choices = list(choices)
    if value is not None and value not in choices:
        raise bad_input(option, _("choose one of %(choices)s.") % {"choices": ", ".join(choices)})
    return value


@contextmanager
def refusals_as_exit_2(by_option: str = "--by") -> Iterator[None]:
    """A service's ``ValidationError`` names its field, its ``PermissionDenied`` says who may: both end the command
    with exit status 2 and that message."""
    try:
        yield
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        text = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
        raise CommandError(text, returncode=2) from exc
    except PermissionDenied as exc:
        raise bad_input(by_option, str(exc)) from exc


def sizes(quantities: dict | None) -> str:
    """{"vcpu": "2", "ram_gb": "4"} → 'ram_gb 4, vcpu 2', each figure as the pages write it."""
    return ", ".join(f"{code} {formatting.number(value)}" for code, value in sorted((quantities or {}).items()))


def table(rows: list[list[str]]) -> str:
    """Columns padded to their widest cell; the first row is the header."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )
