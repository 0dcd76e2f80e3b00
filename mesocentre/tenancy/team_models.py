"""The datacenter's operations teams (hosting, cloud, compute, cross-cutting): groups of operators.

Each offering of the catalogue belongs to one; its members see and approve the offering's orders and do its manual
tasks. Only operators are members: ``TeamMembership.clean()`` (which save() runs) says so to a person, and on
PostgreSQL two triggers (migration 0010) refuse it to any path that skips validation. An operator who is in a team
keeps the operator flag until they leave it: ``User.clean()``/``save()`` refuse the change with a message naming
the teams (erasure removes the memberships first, see ``erasure.py``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core.models import ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator


class TeamQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self if is_operator(user) else self.none()

    def of(self, user):
        """The teams ``user`` is a member of."""
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(memberships__user=user)


class Team(TimestampedModel):
    class Kind(models.TextChoices):
        HOSTING = "hosting", pgettext_lazy("team kind", "hosting")
        CLOUD = "cloud", pgettext_lazy("team kind", "cloud")
        COMPUTE = "compute", pgettext_lazy("team kind", "compute")
        CROSS_CUTTING = "cross-cutting", pgettext_lazy("team kind", "cross-cutting")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        "tenancy.User", through="TeamMembership", related_name="teams", verbose_name=_("members"), blank=True
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("team")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def standard(cls, kind: str) -> "Team":
        """The team of ``kind`` seeded by migration 0011 (the one of that code), made again if it was deleted."""
        return cls.objects.get_or_create(code=kind, defaults={"name": STANDARD_TEAMS[kind], "kind": kind})[0]


# The four teams of the offer (their codes are their kinds); migration 0011 seeds them with these names.
STANDARD_TEAMS = {
    "hosting": "Hosting team",
    "cloud": "Cloud team",
    "compute": "Compute team",
    "cross-cutting": "Cross-cutting team",
}

NOT_AN_OPERATOR = _("Only operators are members of a team: %(user)s is not an operator.")


def is_team_member(user, team: Team) -> bool:
    """Whether ``user`` is a member of ``team`` (a superuser is one only if added, like anyone)."""
    if not (user and user.is_authenticated) or team is None:
        return False
    return TeamMembership.objects.filter(user=user, team=team).exists()


class TeamMembershipQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self if is_operator(user) else self.none()


class TeamMembership(TimestampedModel):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        "tenancy.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="team_memberships"
    )

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team", "user"]
        verbose_name = _("team membership")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="tenancy_teammembership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} ∈ {self.team}"

    def clean(self):
        if self.user_id and not is_operator(self.user):
            raise ValidationError({"user": NOT_AN_OPERATOR % {"user": self.user}})
