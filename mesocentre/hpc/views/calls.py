"""Calls and their rounds: everyone reads them; operators open them, share their budgets out and close them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.core.roles import is_operator
from mesocentre.hpc import services
from mesocentre.hpc.forms import CallForm, RoundBudgetForm, RoundForm
from mesocentre.hpc.models import Call, Round, RoundBudget
from mesocentre.projects.views.common import form_page, refusal


def _require_operator(user) -> None:
    if not is_operator(user):
        raise PermissionDenied


def _by_state(rounds, now) -> dict:
    """A call's rounds as open, upcoming and past (the past ones stay listed: their decisions are read later)."""
    states = {"open": [], "upcoming": [], "past": []}
    for round_ in rounds:
        key = "open" if round_.is_open_at(now) else "upcoming" if round_.is_upcoming_at(now) else "past"
        states[key].append(round_)
    states["past"].reverse()  # the latest first
    return states


@login_required
def call_list(request):
    now = timezone.now()
    calls = Call.objects.visible_to(request.user).prefetch_related(
        Prefetch("rounds", queryset=Round.objects.order_by("opens_at"))
    )
    rows = [{"call": call, **_by_state(call.rounds.all(), now)} for call in calls]
    context = {"rows": rows, "operator": is_operator(request.user), "committee": _committee(request.user)}
    return render(request, "hpc/call_list.html", context)


def _committee(user) -> bool:
    return is_operator(user) or user.is_reviewer


@login_required
def call_detail(request, code: str):
    call = get_object_or_404(Call.objects.visible_to(request.user), code=code)
    rounds = call.rounds.order_by("opens_at").prefetch_related("budgets")
    context = {
        "call": call,
        **_by_state(list(rounds), timezone.now()),
        "operator": is_operator(request.user),
        "committee": _committee(request.user),
    }
    return render(request, "hpc/call_detail.html", context)


@login_required
def call_create(request):
    _require_operator(request.user)
    form = CallForm(request.POST or None)

    def create(data):
        call = services.create_call(request.user, **data)
        messages.success(request, _("Call opened: add its rounds."))
        return redirect("hpc:call_detail", code=call.code)

    return form_page(request, "hpc/call_form.html", {"form": form}, create)


@login_required
def round_create(request, code: str):
    _require_operator(request.user)
    call = get_object_or_404(Call.objects.visible_to(request.user), code=code)
    form = RoundForm(request.POST or None)

    def create(data):
        round_ = services.create_round(request.user, call, **data)
        messages.success(request, _("Round added: share its budget out by theme or laboratory if you wish."))
        return redirect("hpc:round_budget_create", pk=round_.pk)

    return form_page(request, "hpc/round_form.html", {"form": form, "call": call}, create)


@login_required
@require_POST
def round_close(request, pk: int):
    _require_operator(request.user)
    round_ = get_object_or_404(Round.objects.visible_to(request.user), pk=pk)
    try:
        services.close_round(request.user, round_)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("The round is closed: it accepts no more requests."))
    return redirect("hpc:round_detail", pk=pk)


@login_required
def round_budget_create(request, pk: int):
    """The round's budget lines by theme and by laboratory, and the form that adds one."""
    _require_operator(request.user)
    round_ = get_object_or_404(Round.objects.visible_to(request.user).select_related("call"), pk=pk)
    form = RoundBudgetForm(request.POST or None)
    lines = round_.budgets.select_related("theme", "laboratory")
    context = {
        "round": round_,
        "form": form,
        "theme_lines": [line for line in lines if line.theme_id],
        "laboratory_lines": [line for line in lines if line.laboratory_id],
    }

    def add(data):
        data = {name: value for name, value in data.items() if value is not None}
        line = services.add_round_budget(request.user, round_, **data)
        messages.success(request, _("Budget for %(subject)s added.") % {"subject": line.subject})
        return redirect("hpc:round_budget_create", pk=pk)

    return form_page(request, "hpc/round_budget_form.html", context, add)


@login_required
@require_POST
def round_budget_delete(request, pk: int):
    _require_operator(request.user)
    line = get_object_or_404(RoundBudget.objects.visible_to(request.user), pk=pk)
    services.remove_round_budget(request.user, line)
    messages.success(request, _("Budget for %(subject)s removed.") % {"subject": line.subject})
    return redirect("hpc:round_budget_create", pk=line.round_id)
