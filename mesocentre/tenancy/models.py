"""Establishments, laboratories, users, memberships and roles, scientific themes, API tokens."""

import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import PublicQuerySet, ScopedQuerySet, TimestampedModel, TracksFields
from mesocentre.core.names import is_system_name
from mesocentre.core.roles import is_operator
from mesocentre.tenancy.registry import Event, announce
from mesocentre.tenancy.validators import validate_french_vat, validate_siret, validate_unix_login


class ScientificTheme(TimestampedModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scientific theme")

    objects = PublicQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class EstablishmentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def managed_by(self, user):
        if is_operator(user):
            return self
        return self.filter(memberships__user=user, memberships__role=Membership.Role.MANAGER).distinct()


class Establishment(TracksFields, TimestampedModel):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("university")
        SCHOOL = "school", _("engineering school")
        RESEARCH_ORGANISATION = "research_organisation", _("research organisation")
        COMPANY = "company", _("company")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    vat_number = models.CharField(_("VAT number"), max_length=13, blank=True, validators=[validate_french_vat])
    chorus_service_code = models.CharField(
        _("Chorus Pro service code"),
        max_length=100,
        blank=True,
        help_text=_("The service code public bodies require on invoices sent through Chorus Pro."),
    )
    address = models.TextField(_("billing address"), blank=True)

    objects = EstablishmentQuerySet.as_manager()
    # Its code names its Slurm account, the parent of its projects' accounts.
    tracked_fields = ("code",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("establishment")

    def __str__(self) -> str:
        return self.name

    @property
    def price_list_code(self) -> str:
        """Companies pay full cost plus a margin; academic establishments pay full cost."""
        return "company" if self.kind == self.Kind.COMPANY else "academic"

    def clean(self):
        if self.kind != self.Kind.COMPANY and not self.siret and self.chorus_service_code:
            raise ValidationError({"siret": _("A public body invoiced through Chorus Pro needs its SIRET.")})
        if self.code and (self._state.adding or "code" in self.changed_fields()):
            # The code names a Slurm account: the apps that know Slurm say whether the name is free.
            problems = announce(Event.ESTABLISHMENT_CODE_CHECK, establishment=self, code=self.code)
            if is_system_name(self.code):
                problems.insert(0, _("%(code)s is a name the system keeps for itself.") % {"code": self.code})
            if problems:
                raise ValidationError({"code": problems[0]})

    def save(self, *args, **kwargs):
        before = self.changed_fields()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if before:
                announce(Event.ESTABLISHMENT_CHANGED, establishment=self, before=before)
        self.remember_loaded()


class LaboratoryQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(establishments__memberships__user=user).distinct()


class Laboratory(TimestampedModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # A joint laboratory (UMR) belongs to several establishments.
    establishments = models.ManyToManyField(
        Establishment, related_name="laboratories", verbose_name=_("establishments")
    )
    theme = models.ForeignKey(
        ScientificTheme,
        verbose_name=_("main theme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="laboratories",
    )

    objects = LaboratoryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class UserQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        managed = Establishment.objects.managed_by(user)
        return self.filter(Q(pk=user.pk) | Q(memberships__establishment__in=managed)).distinct()


class MesocentreUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(TracksFields, AbstractUser):
    # Operators are the datacenter's staff; reviewers sit on the expert committee. Establishment roles are
    # memberships, project roles come with projects.
    is_operator = models.BooleanField(_("operator"), default=False, help_text=_("Datacenter staff."))
    is_reviewer = models.BooleanField(_("committee reviewer"), default=False)
    unix_login = models.CharField(
        _("Unix login"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_unix_login],
        help_text=_("The login name the clusters know this user by."),
    )
    charter_accepted_at = models.DateTimeField(
        _("charter accepted at"),
        null=True,
        blank=True,
        help_text=_("When the user accepted the centre's usage charter; no cluster knows them before."),
    )
    oidc_subject = models.CharField(
        _("identity provider subject"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Who the institutional identity provider says this is (its 'sub' claim)."),
    )
    preferred_language = models.CharField(
        _("language"), max_length=5, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    erased_at = models.DateTimeField(
        _("erased at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When this person was erased (GDPR): the account stays, pseudonymised, for what it did."),
    )

    objects = MesocentreUserManager()
    # What the clusters depend on (login, active, charter), the username, which never changes, and the flags that
    # make an operator (a team member stays one: check_teams).
    tracked_fields = ("username", "unix_login", "is_active", "charter_accepted_at", "is_operator", "is_superuser")
    CLUSTER_FIELDS = ("unix_login", "is_active", "charter_accepted_at")

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if "username" in self.changed_fields() and not getattr(self, "_erasing", False):
            # Audit entries, invitations and the identity provider all know people by it.
            raise ValidationError({"username": _("A username does not change.")})
        self.check_teams()

    def check_teams(self) -> None:
        """An operator in a team stays one until they leave it: the team's orders and tasks would wait on someone
        who can no longer see them. Refused with the teams named (the database refuses it too, on PostgreSQL)."""
        flags = self.changed_fields()
        if is_operator(self) or not ("is_operator" in flags or "is_superuser" in flags):
            return  # still an operator, or was never one: no query
        teams = sorted(self.team_memberships.values_list("team__name", flat=True))
        if teams:
            message = _("%(user)s is a member of the teams %(teams)s: remove them from these teams first.")
            raise ValidationError({"is_operator": message % {"user": self.username, "teams": ", ".join(teams)}})

    def save(self, *args, **kwargs):
        if self.unix_login == "":
            self.unix_login = None
        if self.is_operator:
            self.is_staff = True  # operators work in the admin too
        if self.unix_login:
            validate_unix_login(self.unix_login)
        changed = self.changed_fields()
        if "username" in changed and not getattr(self, "_erasing", False):
            raise ValidationError({"username": _("A username does not change.")})
        before = {name: old for name, old in changed.items() if name in self.CLUSTER_FIELDS}
        self.check_teams()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if before:
                announce(Event.USER_CHANGED, user=self, before=before)
        self.remember_loaded()


@receiver(pre_delete, sender=User, dispatch_uid="tenancy_user_deleting")
def _user_deleting(sender, instance: User, **kwargs) -> None:
    # The apps above say what to do once the user is gone (their memberships go with them, by cascade).
    instance._after_delete = announce(Event.USER_DELETING, user=instance)


@receiver(post_delete, sender=User, dispatch_uid="tenancy_user_deleted")
def _user_deleted(sender, instance: User, **kwargs) -> None:
    for then in getattr(instance, "_after_delete", []):
        then()


class MembershipQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(user=user) | Q(establishment__in=Establishment.objects.managed_by(user))).distinct()


class Membership(TracksFields, TimestampedModel):
    class Role(models.TextChoices):
        MANAGER = "manager", _("establishment manager")
        MEMBER = "member", _("member")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.CASCADE, related_name="memberships"
    )
    laboratory = models.ForeignKey(
        Laboratory,
        verbose_name=_("laboratory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    objects = MembershipQuerySet.as_manager()
    tracked_fields = ("role",)

    class Meta:
        ordering = ["establishment", "user"]
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "establishment"], name="tenancy_membership_unique_user_establishment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.establishment} ({self.get_role_display()})"

    def clean(self):
        if (
            self.laboratory_id
            and self.establishment_id
            and not self.laboratory.establishments.filter(pk=self.establishment_id).exists()
        ):
            raise ValidationError({"laboratory": _("This laboratory does not belong to this establishment.")})
        if self.changed_fields().get("role") == self.Role.MANAGER and self.is_last_manager():
            raise ValidationError({"role": LAST_MANAGER})

    def is_last_manager(self) -> bool:
        """True when this membership is its establishment's only manager (as stored)."""
        managers = Membership.objects.filter(establishment_id=self.establishment_id, role=self.Role.MANAGER)
        return not managers.exclude(pk=self.pk).exists() and managers.filter(pk=self.pk).exists()


LAST_MANAGER = _("An establishment keeps at least one manager: name another manager first.")


@receiver(pre_delete, sender=Membership, dispatch_uid="tenancy_membership_keeps_a_manager")
def _keep_a_manager(sender, instance: Membership, origin=None, **kwargs) -> None:
    # Whichever path deletes memberships (a view, the API, the admin's bulk action). Deleting the user or the
    # establishment itself takes its memberships along, and is the operators' decision.
    if isinstance(origin, User | Establishment) or instance.role != Membership.Role.MANAGER:
        return
    going = origin.values("pk") if isinstance(origin, models.QuerySet) else [instance.pk]
    managers = Membership.objects.filter(establishment_id=instance.establishment_id, role=Membership.Role.MANAGER)
    if not managers.exclude(pk__in=going).exists():
        raise ValidationError({"role": LAST_MANAGER})


class ApiTokenQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class ApiToken(TimestampedModel):
    """A personal API token (``Authorization: Token <key>``), stored as the SHA-256 of its key only.

    The key is shown once, when made (services.rotate_token); nobody reads it back, an operator or a superuser no
    more than a leaked database dump. A key is 32+ random bytes, so a plain SHA-256 cannot be guessed back: a slow,
    salted hash (as for passwords) would only slow every API call down. The prefix, the key's first characters,
    names a token to its owner and lets authentication find the candidates without comparing every digest.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True, editable=False)
    digest = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user", "-created"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.get_username()})"

    def clean(self):
        # Rows are made from a key by services.rotate_token (or the migration of DRF's tokens): a row that is not
        # is a mistake, and would never authenticate anyone.
        if len(self.prefix) != self.PREFIX_LENGTH:
            raise ValidationError(
                {"prefix": _("The prefix is the key's first %(n)d characters.") % {"n": self.PREFIX_LENGTH}}
            )
        if not re.fullmatch(r"[0-9a-f]{64}", self.digest):
            raise ValidationError({"digest": _("The digest is a SHA-256 in 64 lowercase hexadecimal digits.")})


# Invitations live in their own module; Django finds models through this one.
from mesocentre.tenancy.charter_models import CharterAcceptance, CharterVersion  # noqa: E402, F401
from mesocentre.tenancy.invitation_models import EstablishmentInvitation, Invitation  # noqa: E402, F401
from mesocentre.tenancy.team_models import Team, TeamMembership, is_team_member  # noqa: E402, F401
