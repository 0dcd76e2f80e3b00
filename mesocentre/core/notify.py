"""E-mail notifications in each recipient's language, through Django's mail framework."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation


def notify(users: Iterable, subject: str, template: str, context: dict) -> int:
    """Send ``template`` (a plain-text template whose first line is the subject) to each user with an address.

    ``subject`` is a fallback used when the template's first line is empty. Returns the number of messages sent.
    """
    messages = [
        _message(user.email, getattr(user, "preferred_language", None), subject, template, {**context, "user": user})
        for user in {u.pk: u for u in users if getattr(u, "email", "")}.values()
    ]
    return _send(messages)


def notify_address(address: str, language: str | None, subject: str, template: str, context: dict) -> int:
    """The same to one address that is not (yet) a user's: a new e-mail to confirm, an invitation."""
    return _send([_message(address, language, subject, template, context)])


def _message(address: str, language: str | None, subject: str, template: str, context: dict) -> EmailMessage:
    with translation.override(language or settings.LANGUAGE_CODE):
        first, _, body = render_to_string(template, context).strip().partition("\n")
    return EmailMessage(first.strip() or subject, body.strip(), to=[address])


def _send(messages: list) -> int:
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages)
