"""An audit entry as people read it: the fields it changed, named as the model names them, before → after.

The snapshots are JSON (``registry.snapshot``): the model, found again from the entry's ``object_type``, says what
each value was (a date, a choice, a link to another row). Links are read for a whole page at once, one query per
model they point to, so a page costs the same number of queries whatever its number of rows. A model or a field
that no longer exists is shown as stored, under its raw name.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from mesocentre.audit.registry import UNAUDITED, moved_model
from mesocentre.core.formatting import day, moment, number

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    field: str  # the model's verbose name, or the raw name
    before: str | None  # None: not part of the entry (a creation has no before, a deletion no after)
    after: str | None


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an entry is about, by the label it was written with (an old label finds the model that moved)."""
    moved = moved_model(object_type)
    if moved is not None:
        return moved
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def changed_names(entry) -> list[str]:
    """The fields an entry is about: for an update only those whose value changed; all for a create or a delete."""
    before, after = entry.before or {}, entry.after or {}
    if entry.before is None or entry.after is None:
        return list((after or before).keys())
    names = list(before) + [name for name in after if name not in before]
    return [name for name in names if name not in UNAUDITED and before.get(name) != after.get(name)]


def was_a_login(entry) -> bool:
    """An entry written before logins stopped being recorded: an update of a person's ``last_login`` alone."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action != "update" or not (before and after) or "last_login" not in before:
        return False
    names = set(before) | set(after)
    return before["last_login"] != after.get("last_login") and all(
        before.get(name) == after.get(name) for name in names - {"last_login"}
    )


class Reader:
    """Turns the entries of one page into lists of ``Change``; reads linked rows once for the page."""

    def __init__(self, entries):
        self.entries = list(entries)
        self._related: dict[type, dict[str, str]] = {}
        self._load_related()

    def _load_related(self) -> None:
        wanted: dict[type, set] = defaultdict(set)
        for entry in self.entries:
            model = model_of(entry.object_type)
            for name in changed_names(entry):
                field = _field(model, name)
                if field is None or not field.is_relation or field.related_model is None:
                    continue
                for snapshot in (entry.before, entry.after):
                    wanted[field.related_model].update(_keys(field.related_model, (snapshot or {}).get(name)))
        for related, keys in wanted.items():
            rows = related._default_manager.filter(pk__in=keys)
            self._related[related] = {str(row.pk): str(row) for row in rows}

    def action(self, entry) -> str:
        """The action's name; the "updates" that were only a login (older entries) are called what they were."""
        return _("logged in") if was_a_login(entry) else entry.get_action_display()

    def changes(self, entry) -> list[Change]:
        model = model_of(entry.object_type)
        result = []
        for name in changed_names(entry):
            field = _field(model, name)
            if getattr(field, "primary_key", False):
                continue  # the object's id is in its own column
            label = capfirst(str(field.verbose_name)) if hasattr(field, "verbose_name") else name
            result.append(
                Change(
                    label,
                    None if entry.before is None else self.value(field, entry.before.get(name)),
                    None if entry.after is None else self.value(field, entry.after.get(name)),
                )
            )
        return result

    def value(self, field, value) -> str:
        """A stored value in words: '—' for nothing, yes/no, dates and times in the page's language, a choice's
        label, a linked row's name."""
        if value in (None, "", []):
            return EMPTY
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if field is not None and field.is_relation and field.related_model is not None:
            names = self._related.get(field.related_model, {})
            return ", ".join(names.get(str(v), f"#{v}") for v in _as_list(value))
        if field is not None and field.choices and not isinstance(value, dict | list):
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.DateTimeField):
            parsed = parse_datetime(str(value))
            return moment(parsed) if parsed else str(value)
        if isinstance(field, models.DateField):
            parsed = parse_date(str(value))
            return day(parsed) if parsed else str(value)
        if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField) and not field.primary_key:
            return _number(value)
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return str(value)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _keys(model, value) -> set:
    """The primary keys a stored link holds, as the related model types them; what cannot be one is left out
    (and shown as stored)."""
    keys = set()
    for item in _as_list(value):
        try:
            key = model._meta.pk.to_python(item)
        except (ValidationError, TypeError):
            continue
        if key not in (None, ""):
            keys.add(key)
    return keys


def _number(value) -> str:
    try:
        return number(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
