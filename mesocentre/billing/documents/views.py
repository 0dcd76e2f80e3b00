"""The portal's documents. The downloads of an issued invoice or credit note,
``billing/invoices/<number>/document.<format>``, scoped exactly as the invoices API (``Invoice.objects.visible_to``):
an invoice the caller may not read is a 404, as one that does not exist. And the calculator's numbered quote, for
the signed-in only (the anonymous may price a basket, not take a number)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import ValidationError

from mesocentre.billing.documents.exports import FORMATS, export
from mesocentre.billing.invoice_models import Invoice

# A basket of the calculator's hundred items, each with every size, is some 30 kB of JSON.
MAX_BASKET_BYTES = 64 * 1024


@require_GET
@login_required
def invoice_document(request: HttpRequest, number: str, format: str) -> HttpResponse:
    """The invoice as ``format`` (pdf, facturx, xml, csv), in the caller's language, as a download."""
    if format not in FORMATS:
        raise Http404(f"No format {format}")
    invoices = Invoice.objects.visible_to(request.user).select_related("establishment", "credits")
    invoice = get_object_or_404(invoices, number=number)
    document = export(invoice, format, get_language() or "en")
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@require_POST
@login_required
def quote_issue(request: HttpRequest) -> HttpResponse:
    """The calculator page's "numbered quote" button: its basket (the quote API's request, as JSON in the form's
    ``basket`` field) issued as a numbered quote, answered as its PDF in the caller's language. A basket the
    calculator refuses is a 400 saying why, and takes no number."""
    from mesocentre.billing import quotes
    from mesocentre.billing.api.serializers import QuoteRequestSerializer
    from mesocentre.billing.api.views import QuoteIssueThrottle
    from mesocentre.billing.documents.pdf import quote_pdf

    # The API's bound, counted together: each number is kept for ever, whichever door it was taken through.
    if not QuoteIssueThrottle().allow_request(request, None):
        return HttpResponse(_("Too many numbered quotes for now: try again later."), status=429)
    text = request.POST.get("basket", "")
    if len(text) > MAX_BASKET_BYTES:
        return _refused(request, [_("The basket is too large.")])
    try:
        basket = json.loads(text)
    except ValueError:
        return _refused(request, [_("The basket is not the calculator's JSON.")])
    serializer = QuoteRequestSerializer(data=basket if isinstance(basket, dict) else {})
    try:
        serializer.is_valid(raise_exception=True)
        quote = serializer.create_quote()
    except ValidationError as exc:
        return _refused(request, _messages(exc.detail))
    document = quotes.issue(quote, serializer.validated_data, request.user.get_username())
    response = HttpResponse(quote_pdf(document, get_language() or "en"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    return response


def _messages(detail, field: str = "") -> list[str]:
    """DRF's nested errors as lines 'field: message'."""
    if isinstance(detail, dict):
        return [line for key, value in detail.items() for line in _messages(value, str(key))]
    if isinstance(detail, list):
        return [line for value in detail for line in _messages(value, field)]
    return [f"{field}: {detail}" if field else str(detail)]


def _refused(request: HttpRequest, messages: list[str]) -> HttpResponse:
    return render(request, "billing/documents/quote_refused.html", {"messages": messages}, status=400)
