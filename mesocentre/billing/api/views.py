from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mesocentre.billing.api.serializers import QuoteRequestSerializer, QuoteSerializer
from mesocentre.core.api import ClientAnonRateThrottle


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
