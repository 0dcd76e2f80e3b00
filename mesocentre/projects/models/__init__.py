from mesocentre.projects.models.invitations import ProjectInvitation
from mesocentre.projects.models.projects import Grant, Project, ProjectMembership, Publication

__all__ = ["Grant", "Project", "ProjectInvitation", "ProjectMembership", "Publication"]
