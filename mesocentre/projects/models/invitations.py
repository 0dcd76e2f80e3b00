"""Invitations to a project (see ``tenancy.invitation_models``): the PI or a manager invites, the invitee joins."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from mesocentre.projects.models.projects import Project, ProjectMembership
from mesocentre.tenancy.invitation_models import Invitation

# The models sit below the verbs (``services``), which also push the project's account to Slurm: joining is the
# verb ``services.join_project``, handed here by ProjectsConfig.ready() as (user, project, role).
_join: Callable[..., object] | None = None


def set_joiner(join: Callable[..., object]) -> None:
    global _join
    _join = join


class ProjectInvitation(Invitation):
    kind = "project"
    target_field = "project"

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=ProjectMembership.Role.choices, default=ProjectMembership.Role.MEMBER
    )

    class Meta(Invitation.Meta):
        verbose_name = _("invitation to a project")

    def clean(self):
        super().clean()
        if self.role not in ProjectMembership.Role.values:
            raise ValidationError({"role": _("Choose a role of the project.")})

    @classmethod
    def targets_managed_by(cls, user):
        return Project.objects.managed_by(user)

    def join(self, user) -> None:
        if _join is None:
            raise ImproperlyConfigured("Projects' invitations are answered once the projects app is ready.")
        _join(user, self.project, self.role)

    def describe(self) -> str:
        return _("join the project « %(title)s » as %(role)s") % {
            "title": self.project.title,
            "role": ProjectMembership.Role(self.role).label,
        }
