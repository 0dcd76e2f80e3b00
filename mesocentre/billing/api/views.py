from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
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


class InvoiceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Issued invoices and credit notes, read-only (``mesocentre invoices`` issues and credits them): operators
    read every one, an establishment's managers their establishment's, nobody else any."""

    queryset = Invoice.objects.for_listing().select_related("chorus_deposit").order_by("issued_at", "pk")
    serializer_class = InvoiceSerializer
    permission_classes = [permissions.IsAuthenticated]
