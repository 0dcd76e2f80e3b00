"""Invitations to a project (see ``tenancy.invitation_models``): the PI or a manager invites, the invitee joins."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from mesocentre.projects.models.projects import Project, ProjectMembership
from mesocentre.tenancy.invitation_models import Invitation


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
        from mesocentre.projects.services import join_project

        join_project(user, self.project, self.role)

    def describe(self) -> str:
        return _("join the project « %(title)s » as %(role)s") % {
            "title": self.project.title,
            "role": ProjectMembership.Role(self.role).label,
        }
