"""The issued invoices in the portal: the list (scoped by ``Invoice.objects.visible_to``), one invoice or credit
note, the operators' credit form, and an establishment's spending by project."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.billing import costs, invoicing
from mesocentre.billing.filtersets import InvoiceFilterSet
from mesocentre.billing.forms import CreditForm, PeriodForm
from mesocentre.billing.invoice_models import Invoice
from mesocentre.billing.tables import InvoiceTable
from mesocentre.core.forms import add_refusal
from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table
from mesocentre.tenancy.models import Establishment


@login_required
def invoice_list(request):
    """An establishment's managers see its invoices and credit notes, operators every one, others none."""
    visible = Invoice.objects.visible_to(request.user).select_related("establishment", "credits")
    listed = filtered_table(request, InvoiceFilterSet, visible, InvoiceTable)
    context = {
        **listed.context(),
        "title": _("Invoices"),
        "operator": is_operator(request.user),
        "establishments": [] if is_operator(request.user) else list(Establishment.objects.managed_by(request.user)),
    }
    return render(request, "billing/invoice_list.html", context, status=listed.status)


def _visible_invoice(request, number: str) -> Invoice:
    visible = Invoice.objects.visible_to(request.user).select_related("establishment", "credits")
    return get_object_or_404(visible, number=number)


def detail_context(request, invoice: Invoice, form: CreditForm | None = None) -> dict:
    lines = list(invoice.lines.select_related("credits_line").order_by("position"))
    operator = is_operator(request.user)
    may_credit = operator and invoice.kind == Invoice.Kind.INVOICE
    return {
        "invoice": invoice,
        "groups": costs.grouped(lines),
        "annex": list(invoice.annex.order_by("position")),
        "credit_notes": list(invoice.credit_notes.order_by("issued_at", "pk")),
        "operator": operator,
        "form": (form or CreditForm(invoice=invoice)) if may_credit else None,
    }


@login_required
def invoice_detail(request, number: str):
    invoice = _visible_invoice(request, number)
    return render(request, "billing/invoice_detail.html", detail_context(request, invoice))


@login_required
@require_POST
def invoice_credit(request, number: str):
    """Operators: a credit note taking back the invoice in full or the lines chosen (``invoicing.credit``)."""
    invoice = _visible_invoice(request, number)
    if not is_operator(request.user):
        raise PermissionDenied
    form = CreditForm(request.POST, invoice=invoice)
    if form.is_valid():
        try:
            note = invoicing.credit(invoice, form.cleaned_data["reason"], form.chosen_lines())
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            messages.success(
                request, _("Credit note %(note)s issued for %(number)s.") % {"note": note.number, "number": number}
            )
            return redirect("billing:invoice_detail", number=note.number)
    return render(request, "billing/invoice_detail.html", detail_context(request, invoice, form), status=400)


@login_required
def establishment_billing(request, code: str):
    """An establishment's managers (and operators): its spending by project for a year or a quarter, from the issued
    lines net of credit notes, and the current quarter's draft as an estimate."""
    establishment = get_object_or_404(Establishment.objects.managed_by(request.user), code=code)
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"year": today.year})
    status = 200
    spending = []
    if form.is_valid():
        spending = costs.spending_by_project(establishment, form.cleaned_data["year"], form.cleaned_data["quarter"])
    else:
        status = 400
    quarter = costs.current_quarter(today)
    draft, draft_error = costs.safe_draft(establishment, quarter)
    context = {
        "establishment": establishment,
        "form": form,
        "spending": spending,
        "total": {
            "invoiced": sum((row.invoiced for row in spending), costs.ZERO),
            "credited": sum((row.credited for row in spending), costs.ZERO),
            "net": sum((row.net for row in spending), costs.ZERO),
        },
        "quarter": quarter,
        "draft": draft,
        "draft_by_project": costs.draft_by_project(draft) if draft else [],
        "draft_error": draft_error,
    }
    return render(request, "billing/establishment.html", context, status=status)
