"""What provisioning does when tenancy announces a change (``tenancy.registry``)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

from mesocentre.core.pseudonyms import as_text, json_text_contains, replace_json_strings, replace_words
from mesocentre.provisioning.models import Operation
from mesocentre.tenancy.registry import Event, subscribe

FINISHED = (Operation.State.DONE, Operation.State.FAILED, Operation.State.CANCELLED)
IDENTIFIERS = ("unix_login", "username", "email", "oidc_subject")


def user_erasing(user, pseudonym: str, personal: dict[str, list[str]]) -> dict[str, int]:
    """Finished operations keep the targets they applied (a Slurm account's users, by login), their results and
    errors: the erased person's identifiers there become the pseudonym. Open operations are left alone: their
    target is what a backend is told, and the erasure has just queued new ones without the person (tenancy's
    USER_CHANGED, announced first), which supersede the pending ones."""
    values = [value for name in IDENTIFIERS for value in personal.get(name, [])]
    if not values:
        return {}
    mapping = dict.fromkeys(values, pseudonym)
    named = json_text_contains("target", values) | json_text_contains("result", values)
    named |= reduce(or_, (Q(last_error__icontains=value) for value in values))
    changed = 0
    finished = as_text(Operation.objects.filter(state__in=FINISHED), "target", "result").filter(named)
    for operation in finished.order_by("pk").iterator():
        new = {
            "target": replace_json_strings(operation.target, mapping),
            "result": replace_json_strings(operation.result, mapping),
            "last_error": replace_words(operation.last_error, mapping),
        }
        new = {name: value for name, value in new.items() if value != getattr(operation, name)}
        if new:
            # The operation's own history, rewritten only here; last_updated stays, it is not a change of state.
            changed += Operation.objects.filter(pk=operation.pk).update(**new)
    return {"finished operations pseudonymised": changed}


def connect() -> None:
    subscribe(Event.USER_ERASING, user_erasing)
