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
    messages = []
    for user in {u.pk: u for u in users if getattr(u, "email", "")}.values():
        with translation.override(getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE):
            first, _, body = render_to_string(template, {**context, "user": user}).strip().partition("\n")
        messages.append(EmailMessage(first.strip() or subject, body.strip(), to=[user.email]))
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages)
