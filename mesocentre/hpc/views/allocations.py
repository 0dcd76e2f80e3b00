"""Allocations after the decision: change requests and their status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table
from mesocentre.hpc import services
from mesocentre.hpc.filtersets import AllocationFilterSet, ChangeRequestFilterSet
from mesocentre.hpc.forms import (
    AllocationStatusForm,
    ChangeDecisionForm,
    ChangeRequestForm,
)
from mesocentre.hpc.models import Allocation, ChangeRequest
from mesocentre.hpc.tables import AllocationTable, ChangeRequestTable
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name
from mesocentre.projects.views.common import form_page, refusal


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

    return form_page(request, "hpc/change_request_form.html", context, ask)


@login_required
def allocation_list(request):
    """Operators: the allocations on every cluster, with what each project consumed there (read for the page's rows
    in one query), filtered as the API's list is (``AllocationFilterSet``)."""
    if not is_operator(request.user):
        raise PermissionDenied
    allocations = Allocation.objects.visible_to(request.user).select_related("project")
    listed = filtered_table(request, AllocationFilterSet, allocations, AllocationTable)
    if listed.table is not None:
        listed.table.consumed = consumed_on_page(row.record for row in listed.table.page.object_list)
    context = {**listed.context(), "title": _("Allocations on every cluster")}
    return render(request, "core/table_list.html", context, status=listed.status)


def consumed_on_page(allocations) -> dict[tuple[str, str], tuple]:
    """(cluster, project code) → consumed (core-hours, GPU hours) of the allocations shown, in one query."""
    from mesocentre.metering.services import consumed_hours_of

    keys = {(a.cluster, a.project.code): (f"slurm:{a.cluster}", account_name(a.project.code)) for a in allocations}
    consumed = consumed_hours_of(keys.values())
    return {key: consumed[pair] for key, pair in keys.items() if pair in consumed}


@login_required
def change_request_list(request):
    """Operators: the change requests, newest first, filtered as the API's list is (``ChangeRequestFilterSet``;
    ``?status=pending``: those waiting for a decision, which each row takes)."""
    if not is_operator(request.user):
        raise PermissionDenied
    changes = ChangeRequest.objects.visible_to(request.user).select_related(
        "allocation__project", "requested_by", "decided_by"
    )
    listed = filtered_table(request, ChangeRequestFilterSet, changes, ChangeRequestTable)
    context = {**listed.context(), "title": _("Change requests")}
    return render(request, "core/table_list.html", context, status=listed.status)


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
        return redirect("hpc:change_request_list")
    try:
        services.approve_change_request(request.user, change, approve=form.cleaned_data["approve"])
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        if form.cleaned_data["approve"]:
            messages.success(request, _("Change approved; the new limit is queued for the cluster."))
        else:
            messages.success(request, _("Change refused."))
    if request.POST.get("back") == "project":  # decided from the project's page: go back there
        return redirect("projects:project_detail", code=change.allocation.project.code)
    return redirect("hpc:change_request_list")


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
            messages.error(request, refusal(exc))
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
