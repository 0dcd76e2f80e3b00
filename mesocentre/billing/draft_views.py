"""The operators' drafts: every establishment's draft for a quarter, one establishment's lines, and issuing them
(``invoicing.issue``: each establishment in its own transaction, an issued one skipped)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.billing import costs, invoicing, rating
from mesocentre.billing.forms import IssueForm
from mesocentre.core.formatting import money, number
from mesocentre.core.roles import is_operator
from mesocentre.tenancy.models import Establishment


def _operator_only(request) -> None:
    if not is_operator(request.user):
        raise PermissionDenied


def _quarter_of_path(text: str) -> rating.Quarter:
    try:
        return rating.Quarter.parse(text)
    except ValidationError:
        raise Http404 from None


def _to_drafts(quarter: rating.Quarter):
    return redirect(reverse("billing:draft_list") + f"?quarter={quarter}")


@login_required
def draft_list(request):
    _operator_only(request)
    asked = request.GET.get("quarter", "")
    context = {"title": _("Drafts"), "asked": asked, "rows": [], "error": ""}
    try:
        quarter = rating.Quarter.parse(asked) if asked else costs.last_ended_quarter()
    except ValidationError as exc:
        context["error"] = costs.refusal_text(exc)
        return render(request, "billing/draft_list.html", context, status=400)
    rows = costs.draft_rows(quarter)
    context.update(
        quarter=quarter,
        asked=str(quarter),
        rows=rows,
        ended=costs.has_ended(quarter),
        to_issue=any(row.invoice is None and row.draft and not row.empty for row in rows),
    )
    return render(request, "billing/draft_list.html", context)


@login_required
def draft_detail(request, quarter: str, code: str):
    _operator_only(request)
    quarter_ = _quarter_of_path(quarter)
    establishment = get_object_or_404(Establishment, code=code)
    invoice = invoicing.already_issued(establishment, quarter_)
    if invoice is not None:
        return redirect("billing:invoice_detail", number=invoice.number)
    draft, error = costs.safe_draft(establishment, quarter_)
    context = {
        "quarter": quarter_,
        "establishment": establishment,
        "draft": draft,
        "error": error,
        "groups": costs.grouped(draft.lines) if draft else [],
        "ended": costs.has_ended(quarter_),
        "form": IssueForm(),
    }
    return render(request, "billing/draft_detail.html", context)


@login_required
@require_POST
def draft_issue(request, quarter: str, code: str):
    """Issue one establishment's invoice, with the purchase order the operator typed (refused before the quarter
    has ended)."""
    _operator_only(request)
    quarter_ = _quarter_of_path(quarter)
    establishment = get_object_or_404(Establishment, code=code)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()))
        return _to_drafts(quarter_)
    try:
        outcome = invoicing.issue(establishment, quarter_, purchase_order=form.cleaned_data["purchase_order"])
    except ValidationError as exc:
        messages.error(request, costs.refusal_text(exc))
        return _to_drafts(quarter_)
    _tell(request, outcome, quarter_)
    if outcome.invoice:
        return redirect("billing:invoice_detail", number=outcome.invoice.number)
    return _to_drafts(quarter_)


@login_required
@require_POST
def draft_issue_all(request, quarter: str):
    """Issue every establishment's invoice for the quarter, one transaction each: an interrupted run keeps what it
    issued and a second one skips it."""
    _operator_only(request)
    quarter_ = _quarter_of_path(quarter)
    try:
        invoicing.check_ended(quarter_)
    except ValidationError as exc:
        messages.error(request, costs.refusal_text(exc))
        return _to_drafts(quarter_)
    issued = 0
    for establishment in Establishment.objects.order_by("code"):
        try:
            outcome = invoicing.issue(establishment, quarter_)
        except ValidationError as exc:  # its draft cannot be computed (a price missing…): the others go on
            messages.error(request, f"{establishment.name}: {costs.refusal_text(exc)}")
            continue
        issued += outcome.invoice is not None
    messages.success(
        request,
        _("%(issued)s invoices issued for %(quarter)s; the others were issued already or had nothing to invoice.")
        % {"issued": number(issued), "quarter": quarter_},
    )
    return _to_drafts(quarter_)


def _tell(request, outcome: invoicing.Outcome, quarter: rating.Quarter) -> None:
    if outcome.invoice:
        messages.success(
            request,
            _("%(number)s issued to %(establishment)s for %(quarter)s: %(ttc)s TTC")
            % {
                "number": outcome.invoice.number,
                "establishment": outcome.establishment.name,
                "quarter": quarter,
                "ttc": money(outcome.invoice.total_ttc, cents=True),
            },
        )
    else:
        messages.info(
            request,
            _("%(establishment)s, %(quarter)s: %(why)s")
            % {"establishment": outcome.establishment.name, "quarter": quarter, "why": outcome.skipped},
        )
