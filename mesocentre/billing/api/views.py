from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from mesocentre.billing.api.serializers import InvoiceSerializer, QuoteRequestSerializer, QuoteSerializer
from mesocentre.billing.models import Invoice
from mesocentre.core.api import ClientAnonRateThrottle, ScopedViewSetMixin


class QuoteThrottle(ClientAnonRateThrottle):
    scope = "quote"  # its own counts in the cache, apart from any other anonymous throttle
    rate = "120/minute"


class QuoteView(APIView):
    """The public cost calculator: price a basket without logging in."""

    permission_classes = [AllowAny]
    throttle_classes = [QuoteThrottle]

    @extend_schema(request=QuoteRequestSerializer, responses=QuoteSerializer)
    def post(self, request):
        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.create_quote().as_dict())


class QuoteIssueThrottle(UserRateThrottle):
    scope = "quote-issue"  # each number is kept for ever: a bound on how many one person takes
    rate = "120/hour"


class QuoteIssueView(APIView):
    """A numbered quote (D-2026-000001) of a calculator basket, for the signed-in: the basket is priced as the
    calculator prices it, frozen under the year's next number, and answered as its PDF (in the request's
    language). A basket the calculator refuses is a 400, as the calculator's, and takes no number."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [QuoteIssueThrottle]

    @extend_schema(
        request=QuoteRequestSerializer,
        responses={
            (201, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The numbered quote's PDF."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="The calculator's field errors."),
        },
    )
    def post(self, request):
        from mesocentre.billing import quotes
        from mesocentre.billing.documents.pdf import quote_pdf

        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quote = serializer.create_quote()
        document = quotes.issue(quote, serializer.validated_data, request.user.get_username())
        response = HttpResponse(quote_pdf(document, get_language() or "en"), content_type="application/pdf", status=201)
        response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
        response["X-Quote-Number"] = document.number
        return response


class InvoiceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Issued invoices and credit notes, read-only (``mesocentre invoices`` issues and credits them): operators
    read every one, an establishment's managers their establishment's, nobody else any."""

    queryset = Invoice.objects.for_listing().select_related("chorus_deposit").order_by("issued_at", "pk")
    serializer_class = InvoiceSerializer
    permission_classes = [permissions.IsAuthenticated]
