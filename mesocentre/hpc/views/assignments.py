"""A reviewer's assignments: what is still to review first, the earliest due first."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from mesocentre.core.roles import is_operator
from mesocentre.hpc.models import AllocationRequest, ReviewAssignment


def _order(assignment: ReviewAssignment) -> tuple:
    return (hasattr(assignment, "review"), assignment.request.round.reviews_due, assignment.pk)


@login_required
def assignment_list(request):
    if not (request.user.is_reviewer or is_operator(request.user)):
        raise PermissionDenied
    # One query whatever the number of rows: the review, the request, its project and round come with it.
    assignments = ReviewAssignment.objects.filter(reviewer=request.user).select_related(
        "review", "request__project", "request__round__call"
    )
    rows = sorted(assignments, key=_order)
    context = {"rows": rows, "decided": AllocationRequest.Status.DECIDED}
    return render(request, "hpc/assignment_list.html", context)
