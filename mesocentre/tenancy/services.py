"""Tenancy verbs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from mesocentre.tenancy.models import Establishment, Membership, User


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


def rotate_token(user: User) -> Token:
    """A new personal API token; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
