"""What metering does when tenancy announces a change (``tenancy.registry``)."""

from __future__ import annotations

from mesocentre.metering.models import UsageRecord
from mesocentre.tenancy.registry import Event, subscribe


def user_erasing(user, pseudonym: str, personal: dict[str, list[str]]) -> dict[str, int]:
    """The jobs of an erased person ran under their Unix logins: the records name the pseudonym instead. Their
    accounts, dates and seconds stay, since that is what was consumed and billed."""
    logins = personal.get("unix_login", [])
    changed = UsageRecord.objects.filter(user_login__in=logins).update(user_login=pseudonym) if logins else 0
    return {"usage records pseudonymised": changed}


def connect() -> None:
    subscribe(Event.USER_ERASING, user_erasing)
