"""The mail backend: one operation per e-mail message, sent through Django's mail connection (SMTP in production).

The target is the rendered message: ``to`` (a list of addresses), ``subject``, ``body``, ``from_email``. ``apply``
sends it and is done once the SMTP server accepted it; a refused connection, a timeout or an SMTP error is a
``DriverError``, retried with the queue's backoff. A message cannot be compared and set like an account: a worker
killed after the server accepted it but before the queue recorded it sends it again (at least once, never lost).

Once accepted, the body is dropped from the target (its length and digest stay): an invitation's body holds the
link's secret, which the database otherwise keeps only as a digest.
"""

from __future__ import annotations

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from mesocentre.provisioning.drivers.base import (
    DriftItem,
    Driver,
    DriverError,
    PermanentError,
    last_applied_target,
    register,
)

DEFAULT_SMTP_TIMEOUT = 30  # seconds; Django's default is none at all, and a silent server would outlive the lease


@register
class MailDriver(Driver):
    name = "mail"
    lease_seconds = 120  # longer than a connection attempt and a message's transfer, well below the first backoff
    handles = {"message": "send"}

    def send(self, operation) -> dict:
        from mesocentre.provisioning.models import Operation

        if isinstance(operation.target, dict) and "body_sha256" in operation.target:
            # Accepted by the server in an attempt whose worker died before the queue recorded it: sent already.
            return {"accepted": operation.target.get("to", []), "sent_at": None}
        message = self._message(operation)
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT
        try:
            with get_connection(timeout=timeout) as connection:
                accepted = connection.send_messages([message])
        except (smtplib.SMTPException, OSError) as exc:
            raise DriverError(f"The mail server {self._server()} did not take the message, will retry: {exc}") from exc
        if not accepted:
            raise DriverError(f"The mail server {self._server()} did not accept the message, will retry.")
        body = operation.target["body"]
        sent = {
            **{k: v for k, v in operation.target.items() if k != "body"},
            "body_chars": len(body),
            "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
        }
        Operation.objects.filter(pk=operation.pk).update(target=sent)
        return {"accepted": list(message.to), "sent_at": timezone.now().isoformat()}

    @staticmethod
    def _message(operation) -> EmailMessage:
        target = operation.target if isinstance(operation.target, dict) else {}
        to = target.get("to")
        if not isinstance(to, list) or not to or not all(isinstance(a, str) and "@" in a for a in to):
            raise PermanentError("The message has no valid recipient ('to': a list of addresses).")
        if not isinstance(target.get("subject"), str):
            raise PermanentError("The message has no subject.")
        return EmailMessage(target["subject"], str(target.get("body", "")), target.get("from_email") or None, to=to)

    @staticmethod
    def _server() -> str:
        return f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"

    def read_actual(self, resource_type: str, key: str) -> dict | None:
        """A message sent cannot be read back from anyone's mailbox: what the server accepted, if it did."""
        return last_applied_target(self.name, resource_type, key)

    def reconcile(self) -> list[DriftItem]:
        # Nothing to compare: a message, once accepted, is the recipient's; an undelivered one is in the queue.
        return []


def post(resource_key: str, target: dict, max_attempts: int) -> object:
    """Core's outbox (``core.notify.set_outbox``): a message becomes an operation of this backend, in the caller's
    transaction."""
    from mesocentre.core.notify import MAIL_BACKEND, MAIL_RESOURCE
    from mesocentre.provisioning.services import enqueue

    return enqueue(MAIL_BACKEND, MAIL_RESOURCE, resource_key, target, max_attempts=max_attempts)
