"""What tenancy tells the apps above it, and what it asks them, without importing them.

A Slurm account is named after an establishment's code and holds its members' Unix logins, but tenancy sits below
the apps that know Slurm. Those apps subscribe here from their ``AppConfig.ready()``. Tenancy's models call every
subscriber inside the transaction of the change, so that what a subscriber queues commits or rolls back with it,
whichever path made the change (a service, the API, the admin).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from enum import StrEnum
from typing import Any


class Event(StrEnum):
    # establishment=, before={field: old value}: its code changed (the accounts under it move).
    ESTABLISHMENT_CHANGED = "establishment_changed"
    # user=, before={field: old value}: a field the clusters depend on changed (login, active, charter).
    USER_CHANGED = "user_changed"
    # user=, pseudonym=, personal={field: [every value it had, the current one first]}: the user is being erased
    # (GDPR), in the erasure's transaction, after their row was pseudonymised. A subscriber replaces those values
    # by the pseudonym wherever it stored them, keeps its rows (what was billed, what was applied), and may return
    # {what: how many rows} for the erasure's report.
    USER_ERASING = "user_erasing"
    # user=: about to be deleted; a subscriber returns what to do once it is gone (a callable), or None.
    USER_DELETING = "user_deleting"
    # establishment=, code=: may the establishment take this code? A subscriber returns why not, or None.
    ESTABLISHMENT_CODE_CHECK = "establishment_code_check"


_subscribers: dict[Event, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(event: Event, handler: Callable[..., Any]) -> None:
    """Call ``handler(**payload)`` on every announcement of ``event`` (once, however often this is called)."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def announce(event: Event, **payload: Any) -> list[Any]:
    """Call the subscribers of ``event``; their answers, in the order they subscribed (None left out)."""
    answers = (handler(**payload) for handler in _subscribers[event])
    return [answer for answer in answers if answer is not None]
