"""The portal's downloads of an issued invoice or credit note: ``billing/invoices/<number>/document.<format>``,
scoped exactly as the invoices API (``Invoice.objects.visible_to``): an invoice the caller may not read is a 404,
as one that does not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from mesocentre.billing.documents.exports import FORMATS, export
from mesocentre.billing.invoice_models import Invoice


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
