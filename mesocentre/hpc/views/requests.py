"""A request already submitted: its PI (or a manager) edits it or withdraws it until the committee reviews it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table
from mesocentre.hpc import request_services
from mesocentre.hpc.filtersets import AllocationRequestFilterSet
from mesocentre.hpc.forms import RequestEditForm
from mesocentre.hpc.models import AllocationRequest, Review
from mesocentre.hpc.tables import AllocationRequestTable
from mesocentre.projects.models import Project
from mesocentre.projects.views.common import form_page, refusal


def _managed_request(request, pk: int) -> AllocationRequest:
    managed = AllocationRequest.objects.filter(project__in=Project.objects.managed_by(request.user))
    return get_object_or_404(managed.select_related("project", "round__call"), pk=pk)


@login_required
def request_edit(request, pk: int):
    item = _managed_request(request, pk)
    initial = {name: getattr(item, name) for name in ("cpu_core_hours", "gpu_hours", "scratch_gb", "justification")}
    form = RequestEditForm(request.POST or None, initial=initial)
    context = {"item": item, "form": form, "refusal": request_services.edit_refusal(item)}
    if context["refusal"] and request.method == "POST":
        form.is_valid()
        form.add_error(None, context["refusal"])
        return render(request, "hpc/request_edit.html", context, status=400)

    def act(data):
        was_withdrawn = item.status == AllocationRequest.Status.WITHDRAWN
        request_services.edit_request(request.user, item, **data)
        messages.success(request, _("Request submitted again.") if was_withdrawn else _("Request updated."))
        return redirect("projects:project_detail", code=item.project.code)

    return form_page(request, "hpc/request_edit.html", context, act)


@login_required
@require_POST
def request_withdraw(request, pk: int):
    item = _managed_request(request, pk)
    try:
        request_services.withdraw_request(request.user, item)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return render(
            request, "hpc/request_edit.html", {"item": item, "form": None, "refusal": refusal(exc)}, status=400
        )
    messages.success(request, _("Request withdrawn: the committee will not review it."))
    return redirect("projects:project_detail", code=item.project.code)


def request_rows(project: Project, can_manage: bool) -> list[dict]:
    """The project page's requests, each with its decision and what its PI may still do, in one query."""
    reviewed = Review.objects.filter(assignment__request=OuterRef("pk"))
    requests = project.requests.select_related("round__call", "decision").annotate(reviewed=Exists(reviewed))
    rows = []
    for item in requests:
        decision = getattr(item, "decision", None)  # none yet: the reverse one-to-one raises, getattr says None
        untouched = not item.reviewed and decision is None
        rows.append(
            {
                "item": item,
                "decision": decision,
                "can_edit": can_manage
                and untouched
                and item.status in request_services.EDITABLE
                and item.round.is_open,
                "can_withdraw": can_manage and untouched and item.status in request_services.WITHDRAWABLE,
            }
        )
    return rows


@login_required
def request_list(request):
    """Operators: every request for hours, in every round, filtered as the API's list is
    (``AllocationRequestFilterSet``); each round's page assigns reviewers and decides."""
    if not is_operator(request.user):
        raise PermissionDenied
    requests = AllocationRequest.objects.visible_to(request.user).select_related("project", "round__call")
    listed = filtered_table(request, AllocationRequestFilterSet, requests, AllocationRequestTable)
    context = {**listed.context(), "title": _("Requests for hours")}
    return render(request, "core/table_list.html", context, status=listed.status)
