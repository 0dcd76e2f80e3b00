"""Invitations: people join an establishment or a project when invited, and when they accept.

An invitation names its invitee as the inviter typed it, an e-mail address or a username, and the inviter never
learns whether such a person exists: the invitation is recorded and answered alike either way. The invitee
answers from the link sent to them (whose secret only its digest is kept of) or from their invitations page. The
kinds of invitations are the concrete subclasses of ``Invitation``: tenancy's for establishments, and those the
apps above define (projects' for projects), found by ``invitation_kinds()``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core.models import ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator

# tenancy.models imports this module at its end, once these are defined.
from mesocentre.tenancy.models import Establishment, Laboratory, Membership  # noqa: E402

VALID_FOR = datetime.timedelta(days=14)


def invitation_kinds() -> dict[str, type[Invitation]]:
    """Every concrete kind of invitation, by its key: "establishment", and those of the apps above."""
    from django.apps import apps

    return {model.kind: model for model in apps.get_models() if issubclass(model, Invitation)}


class InvitationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Operators; those who may invite to the target; the invitee."""
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(invitee=user) | Q(**{f"{self.model.target_field}__in": self.model.targets_managed_by(user)})
        )

    def addressed_to(self, user):
        return self.filter(invitee=user)

    def pending(self, now=None):
        return self.filter(status=Invitation.Status.PENDING, expires_at__gt=now or timezone.now())


class Invitation(TimestampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("invitation status", "pending")
        ACCEPTED = "accepted", pgettext_lazy("invitation status", "accepted")
        DECLINED = "declined", pgettext_lazy("invitation status", "declined")
        REVOKED = "revoked", pgettext_lazy("invitation status", "revoked")

    # The state transitions, in one table: an answer, or a revocation, ends an invitation.
    TRANSITIONS = {
        Status.PENDING: {Status.ACCEPTED, Status.DECLINED, Status.REVOKED},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.REVOKED: set(),
    }

    kind: str = ""  # the key of invitation_kinds(), and of the invitation's URLs
    target_field: str = ""  # the name of the foreign key to what the invitee joins

    email = models.EmailField(_("e-mail address"), blank=True)
    username = models.CharField(_("username"), max_length=150, blank=True)
    # Who it reaches, when the address or username is someone's: never shown to the inviter.
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.addressed_as} → {self.target}"

    @property
    def target(self):
        return getattr(self, self.target_field)

    @property
    def addressed_as(self) -> str:
        return self.email or self.username

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    def clean(self):
        if bool(self.email) == bool(self.username):
            raise ValidationError({"email": _("Invite by e-mail address or by username: one of the two.")})

    def move_to(self, status: str, by) -> None:
        """Answer or revoke, as the transitions table allows; an expired invitation takes no answer."""
        if status not in self.TRANSITIONS[self.status]:
            raise ValidationError(
                _("This invitation is %(status)s: it cannot be %(new)s.")
                % {"status": self.get_status_display(), "new": self.Status(status).label}
            )
        if self.is_expired:
            raise ValidationError(_("This invitation has expired: ask for a new one."))
        self.status, self.answered_at, self.answered_by = status, timezone.now(), by
        self.save()

    # ---- what each kind says
    @classmethod
    def targets_managed_by(cls, user) -> models.QuerySet:
        """What ``user`` may invite people to."""
        raise NotImplementedError

    def join(self, user) -> None:
        """Make ``user`` a member of the target, as the invitation says (called when they accept)."""
        raise NotImplementedError

    def describe(self) -> str:
        """What accepting means, in words, for the invitee."""
        raise NotImplementedError


class EstablishmentInvitation(Invitation):
    kind = "establishment"
    target_field = "establishment"

    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    laboratory = models.ForeignKey(
        Laboratory, verbose_name=_("laboratory"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta(Invitation.Meta):
        verbose_name = _("invitation to an establishment")

    def clean(self):
        super().clean()
        if self.role not in Membership.Role.values:
            raise ValidationError({"role": _("Choose a role of the establishment.")})
        if self.laboratory_id and not self.laboratory.establishments.filter(pk=self.establishment_id).exists():
            raise ValidationError({"laboratory": _("This laboratory does not belong to this establishment.")})

    @classmethod
    def targets_managed_by(cls, user):
        return Establishment.objects.managed_by(user)

    def join(self, user) -> None:
        membership = Membership.objects.filter(user=user, establishment=self.establishment).first()
        if membership is None:
            try:  # two invitations accepted at once: the second finds the first's row, joining is idempotent
                with transaction.atomic():
                    Membership.objects.create(
                        user=user, establishment=self.establishment, role=self.role, laboratory=self.laboratory
                    )
                return
            # The twin shows as the unique index's IntegrityError, or as full_clean's ValidationError once committed.
            except (IntegrityError, ValidationError):
                membership = Membership.objects.filter(user=user, establishment=self.establishment).first()
                if membership is None:
                    raise
        if self.role == Membership.Role.MANAGER and membership.role != self.role:
            membership.role = self.role  # an invitation never demotes: it may only make a member a manager
            membership.save()

    def describe(self) -> str:
        return _("join %(establishment)s as %(role)s") % {
            "establishment": self.establishment,
            "role": Membership.Role(self.role).label,
        }
