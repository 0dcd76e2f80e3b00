"""Tenancy verbs."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from mesocentre.tenancy.models import ApiToken, Establishment, Membership, User

TOKEN_BYTES = 32  # 256 random bits: a key nobody guesses, and whose plain SHA-256 nobody reverses


def add_member(actor: User, establishment: Establishment, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    if not Establishment.objects.managed_by(actor).filter(pk=establishment.pk).exists():
        raise PermissionDenied("Only this establishment's managers or operators add members.")
    membership, _ = Membership.objects.update_or_create(user=user, establishment=establishment, defaults={"role": role})
    return membership


@transaction.atomic
def remove_member(actor: User, membership: Membership) -> None:
    if not Establishment.objects.managed_by(actor).filter(pk=membership.establishment_id).exists():
        raise PermissionDenied("Only this establishment's managers or operators remove members.")
    managers = membership.establishment.memberships.filter(role=Membership.Role.MANAGER)
    if membership.role == Membership.Role.MANAGER and managers.count() == 1:
        raise ValidationError({"role": "An establishment keeps at least one manager."})
    membership.delete()


def token_digest(key: str) -> str:
    """What ApiToken stores of a key: its SHA-256, in hexadecimal."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def rotate_token(user: User) -> str:
    """A new personal API token; the old one stops working at once.

    Returns the key: the only time it exists in clear, since only its digest is stored. Show it once.
    """
    ApiToken.objects.filter(user=user).delete()
    key = secrets.token_urlsafe(TOKEN_BYTES)
    ApiToken.objects.create(user=user, prefix=key[: ApiToken.PREFIX_LENGTH], digest=token_digest(key))
    return key
