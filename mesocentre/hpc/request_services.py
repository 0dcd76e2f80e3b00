"""The PI's verbs on a request already submitted: edit it, withdraw it, until the committee has reviewed it.

A request may be edited while its round is open and no review of it exists; withdrawn while neither a review nor a
decision exists. A withdrawn request keeps its round's slot (the unique project + round) and its history: editing
it while the round is open submits it again (so does asking for hours in that round again, ``submit_request``).
Withdrawing deletes its reviewers' assignments (none has a review yet): nobody is asked to review it any more, and
a request submitted again is assigned anew. Each change is recorded by the audit log (the models are registered).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.hpc.models import AllocationRequest, Decision, Review
from mesocentre.hpc.services import _require_manager
from mesocentre.projects.models import Project

Status = AllocationRequest.Status
EDITABLE = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.WITHDRAWN)
WITHDRAWABLE = (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW)


def _reviewed(request: AllocationRequest) -> bool:
    return Review.objects.filter(assignment__request=request).exists()


def edit_refusal(request: AllocationRequest) -> str | None:
    """Why ``request`` may not be edited, in words; None when it may."""
    if request.status not in EDITABLE:
        return _("This request is %(status)s: it is no longer edited.") % {"status": request.get_status_display()}
    if request.project.status != Project.Status.ACTIVE:
        return _("Only an active project asks for hours.")
    if not request.round.is_open:
        return _("Its round is closed: the request is no longer edited.")
    if _reviewed(request):
        return _("The committee has reviewed this request: it is no longer edited.")
    return None


def withdraw_refusal(request: AllocationRequest) -> str | None:
    """Why ``request`` may not be withdrawn, in words; None when it may."""
    if request.status not in WITHDRAWABLE:
        return _("This request is %(status)s: it cannot be withdrawn.") % {"status": request.get_status_display()}
    if Decision.objects.filter(request=request).exists():
        return _("The committee has decided on this request: it cannot be withdrawn.")
    if _reviewed(request):
        return _("The committee has reviewed this request: it cannot be withdrawn.")
    return None


def _locked(request: AllocationRequest) -> AllocationRequest:
    # The project's row first, as submit_request and the committee's verbs lock it: one change at a time.
    Project.objects.select_for_update().filter(pk=request.project_id).first()
    return (
        AllocationRequest.objects.select_for_update(of=("self",)).select_related("round", "project").get(pk=request.pk)
    )


@transaction.atomic
def edit_request(actor, request: AllocationRequest, *, cpu_core_hours, gpu_hours=0, scratch_gb=0, justification):
    """The PI (or a manager) changes what is asked; a withdrawn request is submitted again."""
    _require_manager(actor, request.project)
    request = _locked(request)
    refusal = edit_refusal(request)
    if refusal:
        raise ValidationError(refusal)
    request.cpu_core_hours, request.gpu_hours = cpu_core_hours, gpu_hours
    request.scratch_gb, request.justification = scratch_gb, justification
    if request.status == Status.WITHDRAWN:
        request.status, request.submitted_at, request.submitted_by = Status.SUBMITTED, timezone.now(), actor
    request.save()
    return request


@transaction.atomic
def withdraw_request(actor, request: AllocationRequest) -> AllocationRequest:
    """The PI (or a manager) withdraws the request; its reviewers are no longer asked to review it."""
    _require_manager(actor, request.project)
    request = _locked(request)
    refusal = withdraw_refusal(request)
    if refusal:
        raise ValidationError(refusal)
    for assignment in request.assignments.order_by("pk"):
        assignment.delete()  # one by one, so that the audit log records each
    request.status = Status.WITHDRAWN
    request.save()
    return request
