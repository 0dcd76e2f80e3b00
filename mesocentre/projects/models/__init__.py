from mesocentre.projects.models.allocations import Allocation, ChangeRequest, Decision
from mesocentre.projects.models.budgets import RoundBudget
from mesocentre.projects.models.calls import AllocationRequest, Call, Review, ReviewAssignment, Round
from mesocentre.projects.models.invitations import ProjectInvitation
from mesocentre.projects.models.notifications import SentNotification
from mesocentre.projects.models.projects import Grant, Project, ProjectMembership, Publication

__all__ = [
    "Allocation",
    "AllocationRequest",
    "Call",
    "ChangeRequest",
    "Decision",
    "Grant",
    "Project",
    "ProjectInvitation",
    "ProjectMembership",
    "Publication",
    "Review",
    "ReviewAssignment",
    "Round",
    "RoundBudget",
    "SentNotification",
]
