"""Who is acting right now: set by the web middleware, the CLI, the worker and the demo loader.

In core, not in audit, which only reads it: the demo loader (core) and apps beside audit set or read it too.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_actor: ContextVar[tuple] = ContextVar("mesocentre_actor", default=(None, "system"))


def current_actor() -> tuple:
    """(user or None, label) of whoever causes the change being recorded."""
    return _actor.get()


def current_user():
    """The user causing the change, or None (the system, the demo loader, an anonymous visitor)."""
    user = _actor.get()[0]
    return user.resolve() if hasattr(user, "resolve") else user  # the web's is resolved only when needed


@contextmanager
def acting_as(user, label: str | None = None):
    token = _actor.set((user, label or (user.get_username() if user else "system")))
    try:
        yield
    finally:
        _actor.reset(token)
