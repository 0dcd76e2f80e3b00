"""What provisioning does when tenancy announces a change (``tenancy.registry``)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

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
    return {"finished operations pseudonymised": changed, **_erase_from_mail(pseudonym, personal)}


def _erase_from_mail(pseudonym: str, personal: dict[str, list[str]]) -> dict[str, int]:
    """E-mails not yet delivered hold the person in their text (a decision's body names its PI): the names and
    identifiers there become the pseudonym, and those addressed to the person are cancelled, never sent. (Finished
    ones are rewritten above; their body is gone once delivered.) Running ones are the worker's, left alone."""
    identifiers = {value: pseudonym for name in IDENTIFIERS for value in personal.get(name, [])}
    words = {value: pseudonym for name in ("full_name", "first_name", "last_name") for value in personal.get(name, [])}
    words.update(identifiers)
    if not words:
        return {}
    addresses = {value.lower() for value in personal.get("email", [])}
    now = timezone.now()
    undelivered = Operation.objects.filter(backend="mail", state__in=[Operation.State.PENDING, Operation.State.FAILED])
    cancelled = rewritten = 0
    for operation in as_text(undelivered, "target").filter(json_text_contains("target", list(words))).order_by("pk"):
        target = replace_json_strings(operation.target, identifiers)
        for part in ("subject", "body"):
            if isinstance(target.get(part), str):
                target[part] = replace_words(target[part], words)
        to = operation.target.get("to") or []
        if any(isinstance(a, str) and a.lower() in addresses for a in to):
            text = "Not sent: its recipient was erased."
            changes = {"state": Operation.State.CANCELLED, "finished_at": now, "last_error": text, "last_updated": now}
            cancelled += Operation.objects.filter(pk=operation.pk).update(target=target, **changes)
        elif target != operation.target:
            rewritten += Operation.objects.filter(pk=operation.pk).update(target=target)
    return {"undelivered e-mails cancelled": cancelled, "undelivered e-mails pseudonymised": rewritten}


def connect() -> None:
    subscribe(Event.USER_ERASING, user_erasing)
