"""Portal pages: thin, they call ``services`` and render; every lookup goes through ``visible_to``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.core.roles import is_operator
from mesocentre.projects import services
from mesocentre.projects.forms import (
    AllocationStatusForm,
    AssignReviewerForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    DecisionForm,
    RequestForm,
    ReviewForm,
)
from mesocentre.projects.models import (
    Allocation,
    AllocationRequest,
    ChangeRequest,
    Project,
    ProjectMembership,
    Review,
    ReviewAssignment,
    Round,
)
from mesocentre.tenancy.forms import InviteForm
from mesocentre.tenancy.views import invite_from


def _refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _invalid(request, template, context):
    """A form that is refused is shown again, with its errors, as a 400."""
    return render(request, template, context, status=400)


def _form_page(request, template: str, context: dict, act):
    """GET shows ``context["form"]``; POST validates it and calls ``act(cleaned_data)``, which calls a service and
    returns the response. An invalid form or a service's ValidationError shows the form again, as a 400."""
    if request.method != "POST":
        return render(request, template, context)
    form = context["form"]
    if form.is_valid():
        try:
            return act(dict(form.cleaned_data))
        except ValidationError as exc:
            form.add_error(None, exc)
    return _invalid(request, template, context)


@login_required
def project_list(request):
    projects = Project.objects.visible_to(request.user).select_related("laboratory", "paying_establishment", "theme")
    rounds = [r for r in Round.objects.select_related("call") if r.is_open]
    pending = (
        ChangeRequest.objects.visible_to(request.user).filter(status=ChangeRequest.Status.PENDING).count()
        if is_operator(request.user)
        else None
    )
    leaderless = list(Project.objects.without_pi().order_by("code")) if is_operator(request.user) else []
    context = {"projects": projects, "open_rounds": rounds, "pending_changes": pending, "leaderless": leaderless}
    return render(request, "projects/project_list.html", context)


@login_required
def project_detail(request, code: str):
    project = get_object_or_404(Project.objects.visible_to(request.user), code=code)
    can_manage = Project.objects.managed_by(request.user).filter(pk=project.pk).exists()
    form = InviteForm(request.POST or None, roles=ProjectMembership.Role.choices) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if invite_from(request, form, project):
            return redirect("projects:project_detail", code=code)
    status = 400 if form and form.errors else 200
    memberships = project.memberships.select_related("user")
    members = [(m, services.slurm_exclusion_reason(m.user)) for m in memberships]
    context = {
        "project": project,
        "members": members,
        "can_manage": can_manage,
        "form": form,
        "invitations": project.invitations.pending() if can_manage else [],
        "allocations": project.allocations.prefetch_related("change_requests"),
        "operator": is_operator(request.user),
        "statuses": Allocation.Status.choices,
        "requests": project.requests.select_related("round__call"),
        "reviews": Review.objects.visible_to(request.user).filter(assignment__request__project=project),
        "show_private": is_operator(request.user),
        "grants": project.grants.all(),
        "publications": project.publications.all(),
        "slurm_target": services.slurm_target(project) if project.allocations.exists() else None,
        "consumption": services.consumption(project),
    }
    return render(request, "projects/project_detail.html", context, status=status)


@login_required
@require_POST
def member_remove(request, pk: int):
    membership = get_object_or_404(ProjectMembership.objects.visible_to(request.user), pk=pk)
    code = membership.project.code
    try:
        services.remove_member(request.user, membership)
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
        return redirect("projects:project_detail", code=code)
    messages.success(request, _("Member removed."))
    return redirect("projects:project_detail", code=code)


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

    return _form_page(request, "projects/request_form.html", context, submit)


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
                return redirect("projects:round_detail", pk=pk)
            except ValidationError as exc:
                messages.error(request, _refusal(exc))
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
    }
    return render(request, "projects/round_detail.html", context, status=status)


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
        return redirect("projects:round_detail", pk=assignment.request.round_id)

    return _form_page(request, "projects/review_form.html", context, review)


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
    context = {"item": item, "form": form, "reviews": reviews, "cpu_left": cpu_left, "gpu_left": gpu_left}

    def record(data):
        if isinstance(services.decide(request.user, item, **data), Allocation):
            messages.success(request, _("Decision recorded; the allocation is queued for the cluster."))
        else:
            messages.success(request, _("Decision recorded: nothing granted."))
        return redirect("projects:round_detail", pk=item.round_id)

    return _form_page(request, "projects/decision_form.html", context, record)


@login_required
def change_request_create(request, pk: int):
    """The PI or a manager asks for more hours or an extension of an allocation."""
    allocation = get_object_or_404(Allocation.objects.visible_to(request.user).select_related("project"), pk=pk)
    if not Project.objects.managed_by(request.user).filter(pk=allocation.project_id).exists():
        raise PermissionDenied
    form = ChangeRequestForm(request.POST or None)
    context = {"allocation": allocation, "project": allocation.project, "form": form}

    def ask(data):
        services.request_change(request.user, allocation, **data)
        messages.success(request, _("Your change request is sent to the operators."))
        return redirect("projects:project_detail", code=allocation.project.code)

    return _form_page(request, "projects/change_request_form.html", context, ask)


@login_required
def change_request_list(request):
    """Operators: the change requests waiting for a decision, oldest first, and the latest decided."""
    if not is_operator(request.user):
        raise PermissionDenied
    changes = ChangeRequest.objects.visible_to(request.user).select_related(
        "allocation__project", "requested_by", "decided_by"
    )
    context = {
        "pending": changes.filter(status=ChangeRequest.Status.PENDING).order_by("created"),
        "decided": changes.exclude(status=ChangeRequest.Status.PENDING).order_by("-last_updated")[:20],
    }
    return render(request, "projects/change_request_list.html", context)


@login_required
@require_POST
def change_request_decide(request, pk: int):
    if not is_operator(request.user):
        raise PermissionDenied
    change = get_object_or_404(
        ChangeRequest.objects.visible_to(request.user).select_related("allocation__project"), pk=pk
    )
    form = ChangeDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to refuse."))
        return redirect("projects:change_request_list")
    try:
        services.approve_change_request(request.user, change, approve=form.cleaned_data["approve"])
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    else:
        if form.cleaned_data["approve"]:
            messages.success(request, _("Change approved; the new limit is queued for the cluster."))
        else:
            messages.success(request, _("Change refused."))
    if request.POST.get("back") == "project":  # decided from the project's page: go back there
        return redirect("projects:project_detail", code=change.allocation.project.code)
    return redirect("projects:change_request_list")


@login_required
@require_POST
def allocation_status(request, pk: int):
    """Operators suspend, resume or expire an allocation: Slurm's limits follow through the queue."""
    if not is_operator(request.user):
        raise PermissionDenied
    allocation = get_object_or_404(Allocation.objects.visible_to(request.user).select_related("project"), pk=pk)
    form = AllocationStatusForm(request.POST)
    if form.is_valid():
        try:
            changed = services.set_allocation_status(request.user, allocation, form.cleaned_data["status"])
        except ValidationError as exc:
            messages.error(request, _refusal(exc))
        else:
            # The allocation as the service left it: the one loaded here still has the status it had before.
            messages.success(
                request,
                _("The allocation is %(status)s; the cluster follows through the queue.")
                % {"status": changed.get_status_display()},
            )
    else:
        messages.error(request, _("Unknown status."))
    return redirect("projects:project_detail", code=allocation.project.code)


@login_required
@require_POST
def project_close(request, code: str):
    project = get_object_or_404(Project.objects.visible_to(request.user), code=code)
    try:
        services.close_project(request.user, project)
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("The project is closed; its allocations have expired."))
    return redirect("projects:project_detail", code=code)
