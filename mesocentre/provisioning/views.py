"""Operators' pages: the operation queue and the manual tasks. Everyone else gets 403."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.core.forms import add_refusal
from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table
from mesocentre.provisioning import services
from mesocentre.provisioning.filtersets import ManualTaskFilterSet, OperationFilterSet
from mesocentre.provisioning.forms import CompleteTaskForm
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.provisioning.tables import ManualTaskTable, OperationTable


def operator_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_operator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@operator_required
def operation_list(request):
    """The queue, newest first, filtered as the API's list is (``OperationFilterSet``), a page at a time."""
    listed = filtered_table(request, OperationFilterSet, Operation.objects.visible_to(request.user), OperationTable)
    context = {
        **listed.context(),
        "title": _("Operations"),
        "depth": services.queue_depth(),
        "unconfigured_clusters": services.unconfigured_slurm_clusters(),
    }
    return render(request, "provisioning/operation_list.html", context, status=listed.status)


@operator_required
def operation_detail(request, pk: int):
    operation = get_object_or_404(
        Operation.objects.visible_to(request.user).select_related("superseded_by", "requested_by", "retried_by"),
        pk=pk,
    )
    context = {"operation": operation, "tasks": operation.manual_tasks.all(), "supersedes": operation.supersedes.all()}
    return render(request, "provisioning/operation_detail.html", context)


@operator_required
@require_POST
def operation_retry(request, pk: int):
    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    try:
        services.retry(operation, request.user)
        messages.success(request, _("The operation is back in the queue."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("provisioning:operation_detail", pk=pk)


@operator_required
def task_list(request):
    """The tasks, newest first, filtered as the API's list is (``ManualTaskFilterSet``); those still to do unless
    another status is asked for (``status=`` empty: all of them), the API listing all of them by default."""
    data = request.GET.copy()
    data.setdefault("status", ManualTask.Status.OPEN)
    tasks = ManualTask.objects.visible_to(request.user).select_related("operation", "completed_by")
    listed = filtered_table(request, ManualTaskFilterSet, tasks, ManualTaskTable, data=data)
    context = {**listed.context(), "title": _("Manual tasks")}
    return render(request, "provisioning/task_list.html", context, status=listed.status)


@operator_required
def task_detail(request, pk: int):
    task = get_object_or_404(ManualTask.objects.visible_to(request.user).select_related("operation"), pk=pk)
    may_complete = task.is_open and services.may_handle(request.user, task)
    form = CompleteTaskForm(request.POST or None) if may_complete else None
    status = 200
    if request.method == "POST":
        if not services.may_handle(request.user, task):
            raise PermissionDenied
        status = 400  # a refusal, the page shown again with why, unless the task is completed below
        if form is None:
            closed = _("This task is already closed (%(status)s).") % {"status": task.get_status_display()}
            messages.error(request, closed)
        elif form.is_valid():
            done = form.cleaned_data["outcome"] == "done"
            data = form.cleaned_data
            try:
                services.complete_manual_task(task, request.user, done, data["comment"], data["backend_id"])
            except ValidationError as exc:
                add_refusal(form, exc)  # on the field it names, the task left open
            else:
                messages.success(request, _("Task marked done.") if done else _("Task marked failed."))
                return redirect("provisioning:task_detail", pk=pk)
    context = {"task": task, "operation": task.operation, "form": form, "instructions": task.instructions}
    return render(request, "provisioning/task_detail.html", context, status=status)
