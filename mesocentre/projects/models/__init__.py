from mesocentre.projects.models.invitations import ProjectInvitation
from mesocentre.projects.models.payers import PayerPeriod
from mesocentre.projects.models.projects import Grant, Project, ProjectMembership, Publication

__all__ = ["Grant", "PayerPeriod", "Project", "ProjectInvitation", "ProjectMembership", "Publication"]
