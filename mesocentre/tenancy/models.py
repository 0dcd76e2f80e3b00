"""Establishments, laboratories, users, memberships and roles, scientific themes, API tokens."""

import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import PublicQuerySet, ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator
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


class Establishment(TimestampedModel):
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


class User(AbstractUser):
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
    preferred_language = models.CharField(
        _("language"), max_length=5, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )

    objects = MesocentreUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        if self.unix_login == "":
            self.unix_login = None
        if self.is_operator:
            self.is_staff = True  # operators work in the admin too
        if self.unix_login:
            validate_unix_login(self.unix_login)
        super().save(*args, **kwargs)


class MembershipQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(user=user) | Q(establishment__in=Establishment.objects.managed_by(user))).distinct()


class Membership(TimestampedModel):
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
