"""The committee's path: asking for hours in a round, reviewing, deciding."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core.roles import is_operator
from mesocentre.hpc import services
from mesocentre.hpc.forms import (
    AssignReviewerForm,
    DecisionForm,
    RequestForm,
    ReviewForm,
)
from mesocentre.hpc.models import Allocation, AllocationRequest, Review, ReviewAssignment, Round
from mesocentre.hpc.models.budgets import budgets_for
from mesocentre.projects.models import Project
from mesocentre.projects.views.common import form_page, refusal


@login_required
def request_create(request, code: str):
    project = get_object_or_404(Project.objects.managed_by(request.user), code=code)
    open_rounds = [r for r in Round.objects.select_related("call") if r.is_open]
    form = RequestForm(request.POST or None, open_rounds=open_rounds)
    context = {"project": project, "form": form, "open_rounds": open_rounds}

    def submit(data):
        services.submit_request(request.user, project, data.pop("round"), **data)
        messages.success(request, _("Your request is submitted to the committee."))
        return redirect("projects:project_detail", code=code)

    return form_page(request, "hpc/request_form.html", context, submit)


@login_required
def round_detail(request, pk: int):
    """Operators see every request; reviewers see the requests assigned to them, and the totals by theme."""
    operator = is_operator(request.user)
    if not (operator or request.user.is_reviewer):
        raise PermissionDenied
    round = get_object_or_404(Round.objects.visible_to(request.user).select_related("call"), pk=pk)
    requests = AllocationRequest.objects.visible_to(request.user).filter(round=round)
    if not operator:
        requests = requests.filter(assignments__reviewer=request.user)
    assign_form = AssignReviewerForm(request.POST or None) if operator else None
    status = 200
    if request.method == "POST":
        if not operator:
            raise PermissionDenied
        if assign_form.is_valid():
            target = get_object_or_404(requests, pk=assign_form.cleaned_data["request"])
            try:
                services.assign_reviewer(request.user, target, assign_form.cleaned_data["reviewer"])
                messages.success(request, _("Reviewer assigned."))
                return redirect("hpc:round_detail", pk=pk)
            except ValidationError as exc:
                messages.error(request, refusal(exc))
        status = 400
    requests = requests.select_related("project__laboratory", "project__theme", "decision").prefetch_related(
        "assignments__reviewer", "assignments__review"
    )
    rows = []
    for item in requests.distinct():
        assignments = [a for a in item.assignments.all() if operator or a.reviewer_id == request.user.pk]
        rows.append({"request": item, "assignments": assignments})
    summary = services.round_summary(round)
    context = {
        "round": round,
        "rows": rows,
        "summary": summary,
        "operator": operator,
        "assign_form": assign_form,
        "upcoming": round.is_upcoming_at(timezone.now()),
    }
    return render(request, "hpc/round_detail.html", context, status=status)


@login_required
def review_form(request, pk: int):
    assignment = get_object_or_404(
        ReviewAssignment.objects.filter(reviewer=request.user).select_related("request__project__laboratory"), pk=pk
    )
    existing = getattr(assignment, "review", None) if hasattr(assignment, "review") else None
    initial = (
        {
            "score": existing.score,
            "private_comment": existing.private_comment,
            "public_comment": existing.public_comment,
        }
        if existing
        else None
    )
    form = ReviewForm(request.POST or None, initial=initial)
    context = {"assignment": assignment, "form": form}

    def review(data):
        services.submit_review(request.user, assignment, **data)
        messages.success(request, _("Review recorded."))
        return redirect("hpc:round_detail", pk=assignment.request.round_id)

    return form_page(request, "hpc/review_form.html", context, review)


@login_required
def decide(request, pk: int):
    if not is_operator(request.user):
        raise PermissionDenied
    item = get_object_or_404(
        AllocationRequest.objects.visible_to(request.user).select_related("project", "round"), pk=pk
    )
    initial = {"cpu_core_hours": item.cpu_core_hours, "gpu_hours": item.gpu_hours}
    form = DecisionForm(request.POST or None, initial=initial)
    reviews = Review.objects.filter(assignment__request=item).select_related("assignment__reviewer")
    cpu_left, gpu_left = item.round.remaining(exclude_request=item)
    # The theme's and laboratory's lines the project draws on, with what is left of each.
    lines = [(line, *line.remaining(exclude_request=item)) for line in budgets_for(item)]
    context = {
        "item": item,
        "form": form,
        "reviews": reviews,
        "cpu_left": cpu_left,
        "gpu_left": gpu_left,
        "lines": lines,
    }

    def record(data):
        if isinstance(services.decide(request.user, item, **data), Allocation):
            messages.success(request, _("Decision recorded; the allocation is queued for the cluster."))
        else:
            messages.success(request, _("Decision recorded: nothing granted."))
        return redirect("hpc:round_detail", pk=item.round_id)

    return form_page(request, "hpc/decision_form.html", context, record)
