"""The usage charter's versions and who accepted which (see ``tenancy.charter`` for how a new version asks again)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import localized
from mesocentre.core.models import PublicQuerySet, ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator


class CharterVersionQuerySet(PublicQuerySet):
    def in_force(self, at=None) -> "CharterVersion | None":
        """The version in force at ``at`` (now): the latest whose ``in_force_from`` has passed."""
        return self.filter(in_force_from__lte=at or timezone.now()).order_by("-in_force_from", "-pk").first()

    def with_acceptance_of(self, user):
        """Each version with ``accepted_by_user``: whether ``user`` accepted it (one query with ``in_force``)."""
        accepted = CharterAcceptance.objects.filter(version=OuterRef("pk"), user_id=getattr(user, "pk", None))
        return self.annotate(accepted_by_user=Exists(accepted))


class CharterVersion(TimestampedModel):
    """One wording of the charter. The latest whose ``in_force_from`` has passed is in force; every user must have
    accepted that one to be known to the clusters."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    text = models.TextField(_("text"))
    text_fr = models.TextField(_("text in French"), blank=True)
    in_force_from = models.DateTimeField(_("in force from"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CharterVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-in_force_from", "-number"]
        verbose_name = _("charter version")

    def __str__(self) -> str:
        return _("usage charter, version %(number)s") % {"number": self.number}

    @property
    def localized_text(self) -> str:
        return localized(self, "text")

    def clean(self):
        if not (self.text or "").strip():
            raise ValidationError({"text": _("A charter has a text.")})
        if self.number is not None and self.number < 1:
            raise ValidationError({"number": _("Versions are numbered from 1.")})
        if self.in_force_from and self.number:
            # Numbers and dates go one way, so that "version 3" is always the one in force after version 2.
            earlier = CharterVersion.objects.filter(number__lt=self.number).exclude(pk=self.pk)
            if earlier.filter(in_force_from__gte=self.in_force_from).exists():
                raise ValidationError({"in_force_from": _("A version comes into force after the versions before it.")})


class CharterAcceptanceQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class CharterAcceptance(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="charter_acceptances",
    )
    version = models.ForeignKey(
        CharterVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(_("accepted at"))

    objects = CharterAcceptanceQuerySet.as_manager()

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("charter acceptance")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="tenancy_charteracceptance_unique_user_version"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.version}"


def not_accepted(version: CharterVersion):
    """The users who have not accepted ``version``, as a queryset condition (for ``User.objects.filter``)."""
    return ~Exists(CharterAcceptance.objects.filter(version=version, user=OuterRef("pk")))
