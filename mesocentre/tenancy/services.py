"""Tenancy verbs."""

import datetime
from collections.abc import Callable

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from mesocentre.core.notify import notify_address
from mesocentre.core.tokens import new_token, token_digest
from mesocentre.tenancy.models import ApiToken, Establishment, Membership, User


def add_member(actor: User, establishment: Establishment, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    if not Establishment.objects.managed_by(actor).filter(pk=establishment.pk).exists():
        raise PermissionDenied("Only this establishment's managers or operators add members.")
    membership, _ = Membership.objects.update_or_create(user=user, establishment=establishment, defaults={"role": role})
    return membership


@transaction.atomic
def remove_member(actor: User, membership: Membership) -> None:
    if not Establishment.objects.managed_by(actor).filter(pk=membership.establishment_id).exists():
        raise PermissionDenied("Only this establishment's managers or operators remove members.")
    membership.delete()  # the model refuses to leave the establishment without a manager


@transaction.atomic
def rotate_token(user: User) -> str:
    """A new personal API token; the old one stops working at once.

    Returns the key: the only time it exists in clear, since only its digest is stored. Show it once.
    """
    ApiToken.objects.filter(user=user).delete()
    key = new_token()
    ApiToken.objects.create(user=user, prefix=key[: ApiToken.PREFIX_LENGTH], digest=token_digest(key))
    return key


# ------------------------------------------------------------------------------------------------ e-mail changes
EMAIL_CHANGE_SALT = "mesocentre.tenancy.email-change"
EMAIL_CHANGE_MAX_AGE = datetime.timedelta(days=3)


def request_email_change(user: User, new_email: str, confirm_url: Callable[[str], str]) -> None:
    """Send a confirmation link to ``new_email``; the address changes only when it is followed.

    The token is signed and holds the user, the new address and the current one: it expires, and it no longer
    works once the address has changed (so an old link cannot bring an old address back)."""
    validate_email(new_email)
    if User.objects.exclude(pk=user.pk).filter(email__iexact=new_email).exists():
        # Said the same way as a success would be, to the same address: nobody learns whose address it is.
        notify_address(new_email, user.preferred_language, "", "tenancy/mail/email_taken.txt", {"user": user})
        return
    token = signing.dumps({"user": user.pk, "email": new_email, "was": user.email}, salt=EMAIL_CHANGE_SALT)
    context = {"user": user, "email": new_email, "url": confirm_url(token)}
    notify_address(new_email, user.preferred_language, "", "tenancy/mail/email_confirm.txt", context)


def confirm_email_change(token: str) -> User:
    """Follow a confirmation link: the user's address becomes the confirmed one."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError(_("This confirmation link is not valid, or has expired.")) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data["user"], email=data["was"]).first()
        if user is None:
            raise ValidationError(_("This confirmation link is not valid any more: the address has changed since."))
        if User.objects.exclude(pk=user.pk).filter(email__iexact=data["email"]).exists():
            raise ValidationError(_("Another account uses this address now."))
        user.email = data["email"]
        user.save(update_fields=["email"])
    return user


def set_team_members(team, users) -> None:
    """Make ``users`` the members of ``team``: memberships added and removed one by one (validated, audited)."""
    from mesocentre.tenancy.models import TeamMembership

    wanted = {user.pk: user for user in users}
    with transaction.atomic():
        for membership in team.memberships.exclude(user_id__in=wanted):
            membership.delete()
        present = set(team.memberships.values_list("user_id", flat=True))
        for pk, user in wanted.items():
            if pk not in present:
                TeamMembership(team=team, user=user).save()
