"""Replacing a person's strings by a pseudonym, in JSON values and in text (GDPR erasure, tenancy.erasure).

Pure functions, shared by every app that stores a person's identifiers: the audit log, the usage records, the
operation queue. Only whole strings are replaced in JSON (a login in a list of logins, an address in a snapshot);
in text, whole words (a username in ``"jdupont @ University (member)"``), never a piece of a longer word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, TextField
from django.db.models.functions import Cast


def replace_json_strings(value: Any, replacements: Mapping[str, Any]) -> Any:
    """``value`` with every string (object keys included) that is exactly a key of ``replacements`` replaced by its
    value; the rest unchanged. Returns a new value; ``value`` is not modified."""
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, list):
        return [replace_json_strings(item, replacements) for item in value]
    if isinstance(value, dict):
        replaced = {}
        for key, item in value.items():
            new_key = replacements.get(key, key) if isinstance(key, str) else key
            # A key replaced by a non-string (None, say) would not be JSON: keep such keys as they were.
            replaced[new_key if isinstance(new_key, str) else key] = replace_json_strings(item, replacements)
        return replaced
    return value


def replace_words(text: str, replacements: Mapping[str, str]) -> str:
    """``text`` with every occurrence of a key of ``replacements`` that is not part of a longer word replaced.

    Longer keys first, so that an address is replaced whole before the username it starts with."""
    keys = sorted((key for key in replacements if key), key=len, reverse=True)
    if not text or not keys:
        return text
    pattern = re.compile(r"(?<![\w.@+-])(?:" + "|".join(re.escape(key) for key in keys) + r")(?![\w@+-]|\.\w)")
    return pattern.sub(lambda match: replacements[match.group(0)], text)


def json_text_contains(field: str, values: Iterable[str]) -> Q:
    """A filter keeping the rows whose JSON ``field`` may hold one of ``values``: a cheap superset, for the database
    to narrow down before the exact replacement in Python. Both spellings of a string are looked for: raw (as
    PostgreSQL prints jsonb) and with non-ASCII escaped (as SQLite stores Django's JSON)."""
    condition = Q()
    for value in values:
        for spelling in {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}:
            condition |= Q(**{f"{field}_as_text__icontains": spelling})
    return condition


def as_text(queryset, *fields: str):
    """``queryset`` with ``<field>_as_text``, each JSON field cast to text, to filter on (see json_text_contains)."""
    return queryset.alias(**{f"{field}_as_text": Cast(field, TextField()) for field in fields})
