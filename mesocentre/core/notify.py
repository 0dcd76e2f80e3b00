"""E-mail notifications in each recipient's language, queued and delivered by the worker.

A message is rendered now (the recipient's language applied) and written to the operation queue (backend ``mail``,
``provisioning/drivers/mail.py``) in the caller's transaction: it commits with the change it announces, or not at
all, and a mail server that is down delays it (retried with backoff) instead of failing the change or losing the
message. It counts as delivered when the SMTP server accepted it: its operation is then done.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

MAIL_BACKEND = "mail"
MAIL_RESOURCE = "message"
# 30 attempts with the queue's backoff (30 s doubling, capped at one hour) keep trying for about a day.
MAIL_MAX_ATTEMPTS = 30
MAX_KEY = 180  # the operation's resource key holds 200 characters: the key, ':' and the address's digest

# Core sits below provisioning, which owns the queue: provisioning posts messages for it (``set_outbox``, from its
# AppConfig.ready()), called with (resource key, target, max attempts) inside the caller's transaction.
_outbox: Callable[[str, dict, int], object] | None = None


def set_outbox(post: Callable[[str, dict, int], object]) -> None:
    global _outbox
    _outbox = post


def notify(users: Iterable, subject: str, template: str, context: dict, *, key: str | None = None) -> int:
    """Queue ``template`` (a plain-text template whose first line is the subject) to each user with an address.

    ``subject`` is a fallback used when the template's first line is empty; ``key`` names the notification in the
    queue (a fresh one if not given). Returns the number of messages queued."""
    messages = [
        _message(user.email, getattr(user, "preferred_language", None), subject, template, {**context, "user": user})
        for user in {u.pk: u for u in users if getattr(u, "email", "")}.values()
    ]
    return _queue(messages, key)


def notify_address(
    address: str, language: str | None, subject: str, template: str, context: dict, *, key: str | None = None
) -> int:
    """The same to one address that is not (yet) a user's: a new e-mail to confirm, an invitation."""
    return _queue([_message(address, language, subject, template, context)], key)


def _message(address: str, language: str | None, subject: str, template: str, context: dict) -> dict:
    with translation.override(language or settings.LANGUAGE_CODE):
        first, _, body = render_to_string(template, context).strip().partition("\n")
    return {"to": [address], "subject": first.strip() or str(subject), "body": body.strip()}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _queue(messages: list[dict], key: str | None) -> int:
    if not messages:
        return 0
    if _outbox is None:
        raise ImproperlyConfigured("No outbox for e-mails: mesocentre.provisioning (the queue) is not installed.")
    key = key or f"mail:{uuid.uuid4().hex}"
    if len(key) > MAX_KEY:
        key = f"{key[: MAX_KEY - 17]}~{_digest(key)}"
    # One resource per message (the key and a digest of the address, never the address, which an erasure would
    # leave behind in the key): the queue's newest-target-wins rule must never cancel another message.
    with transaction.atomic():
        for message in messages:
            target = {**message, "from_email": settings.DEFAULT_FROM_EMAIL}
            _outbox(f"{key}:{_digest(message['to'][0].lower())}", target, MAIL_MAX_ATTEMPTS)
    return len(messages)
