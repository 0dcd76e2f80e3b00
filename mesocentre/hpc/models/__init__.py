from mesocentre.hpc.models.allocations import Allocation, ChangeRequest, Decision
from mesocentre.hpc.models.budgets import RoundBudget
from mesocentre.hpc.models.calls import AllocationRequest, Call, Review, ReviewAssignment, Round
from mesocentre.hpc.models.notifications import SentNotification

__all__ = [
    "Allocation",
    "AllocationRequest",
    "Call",
    "ChangeRequest",
    "Decision",
    "Review",
    "ReviewAssignment",
    "Round",
    "RoundBudget",
    "SentNotification",
]
