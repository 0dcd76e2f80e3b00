"""The verbs of invitations (see ``invitation_models``): invite, answer, revoke, sign up from an invitation.

Whoever may invite learns nothing about the invitee from the answer: an invitation to an address or a username
nobody has is recorded, listed and answered exactly like one to a real person; only its e-mail is not sent.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core.notify import notify_address
from mesocentre.core.tokens import new_token, token_digest
from mesocentre.tenancy.invitation_models import VALID_FOR, Invitation, invitation_kinds
from mesocentre.tenancy.models import User

MAX_ADDRESS = 254


def kind_of(target) -> type[Invitation]:
    for model in invitation_kinds().values():
        if isinstance(target, model._meta.get_field(model.target_field).related_model):
            return model
    raise LookupError(f"No kind of invitation leads to a {type(target).__name__}.")


@transaction.atomic
def invite(actor, target, to: str, link: Callable[[str], str], **fields) -> Invitation:
    """Invite the person at ``to`` (an e-mail address, or a username) to ``target``, with ``fields`` (the role…).

    ``link(token)`` makes the URL of the e-mail's link. Only who may invite to the target does."""
    model = kind_of(target)
    if not model.targets_managed_by(actor).filter(pk=target.pk).exists():
        raise PermissionDenied(_("Only the managers of %(target)s invite people to it.") % {"target": target})
    to = (to or "").strip()
    if not to or len(to) > MAX_ADDRESS:
        raise ValidationError({"to": _("Give an e-mail address or a username (at most 254 characters).")})
    by_email = "@" in to
    if by_email:
        try:
            validate_email(to)
        except ValidationError:
            raise ValidationError({"to": _("This is not a valid e-mail address.")}) from None
        invitee = User.objects.filter(email__iexact=to, is_active=True).first()
    else:
        invitee = User.objects.filter(username=to, is_active=True).first()
    token = new_token()
    invitation = model(
        **{model.target_field: target},
        email=to if by_email else "",
        username="" if by_email else to,
        invitee=invitee,
        invited_by=actor,
        token_digest=token_digest(token),
        expires_at=timezone.now() + VALID_FOR,
        **fields,
    )
    invitation.save()
    address = to if by_email else (invitee.email if invitee else "")
    if address:
        language = invitee.preferred_language if invitee else getattr(actor, "preferred_language", None)
        context = {"invitation": invitation, "inviter": actor, "url": link(token), "what": invitation.describe()}
        # Queued with the invitation (the worker delivers it): a mail server that is down delays it, loses nothing.
        key = f"invitation:{model.kind}:{invitation.pk}"
        notify_address(address, language, "", "tenancy/mail/invitation.txt", context, key=key)
    return invitation


def by_token(token: str) -> Invitation | None:
    """The invitation a link's secret opens, of whichever kind."""
    digest = token_digest(token or "")
    for model in invitation_kinds().values():
        invitation = model.objects.filter(token_digest=digest).first()
        if invitation is not None:
            return invitation
    return None


@transaction.atomic
def answer(user, invitation: Invitation, *, accept: bool, with_token: bool = False) -> Invitation:
    """The invitee accepts (and joins) or declines. From their invitations page only the invitee answers; the link's
    secret lets whoever holds it answer (it was sent to the invitee), from the account they choose."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to answer an invitation."))
    if not with_token and invitation.invitee_id != user.pk:
        raise PermissionDenied(_("This invitation is not addressed to you."))
    if with_token and invitation.username and invitation.invitee_id != user.pk:
        raise PermissionDenied(_("This invitation is addressed to another account: sign in with it."))
    invitation = type(invitation).objects.select_for_update().get(pk=invitation.pk)
    invitation.move_to(Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED, user)
    if accept:
        invitation.join(user)
    return invitation


@transaction.atomic
def revoke(actor, invitation: Invitation) -> Invitation:
    if not type(invitation).targets_managed_by(actor).filter(pk=invitation.target.pk).exists():
        raise PermissionDenied(
            _("Only the managers of %(target)s revoke its invitations.") % {"target": invitation.target}
        )
    invitation = type(invitation).objects.select_for_update().get(pk=invitation.pk)
    invitation.move_to(Invitation.Status.REVOKED, actor)
    return invitation


@transaction.atomic
def sign_up(token: str, *, username: str, first_name: str, last_name: str, password: str) -> User:
    """An invitee without an account makes one from an e-mail invitation and joins: the address is theirs (the
    link reached it), so it is the account's, confirmed."""
    invitation = by_token(token)
    if invitation is None or invitation.status != Invitation.Status.PENDING or invitation.is_expired:
        raise ValidationError(_("This invitation is not valid any more."))
    if not invitation.email:
        raise ValidationError(_("This invitation is for an existing account: sign in with it."))
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken: choose another.")})
    user = User(username=username, first_name=first_name, last_name=last_name, email=invitation.email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    answer(user, invitation, accept=True, with_token=True)
    return user


def pending_for(user) -> list[Invitation]:
    """The invitations waiting for ``user``'s answer, of every kind, newest first."""
    rows = [
        invitation
        for model in invitation_kinds().values()
        # what the page shows of each: its target (describe()) and who invited
        for invitation in model.objects.addressed_to(user).pending().select_related(model.target_field, "invited_by")
    ]
    return sorted(rows, key=lambda inv: inv.created, reverse=True)
