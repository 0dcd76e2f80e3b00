"""The reports as JSON, scoped as the pages are (``periods.scope_of``): operators every establishment's figures, an
establishment's managers theirs, anyone else a 403. A bad parameter is a 400 naming it."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mesocentre.reports.api.serializers import (
    ClusterYearSerializer,
    UsageQuerySerializer,
    UsageReportSerializer,
    UtilisationQuerySerializer,
)
from mesocentre.reports.periods import Period, scope_of
from mesocentre.reports.usage import usage_report
from mesocentre.reports.utilisation import utilisation


class UsageReportView(APIView):
    """Consumption (core-hours, GPU-hours, kWh) and spending (issued invoices, HT) by an axis, for a year or a
    quarter."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[UsageQuerySerializer], responses=UsageReportSerializer)
    def get(self, request):
        scope = scope_of(request.user)
        query = UsageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = Period(query.validated_data["year"], query.validated_data.get("quarter"))
        return Response(usage_report(query.validated_data["by"], period, scope).as_dict())


class UtilisationReportView(APIView):
    """Each cluster's utilisation (core-hours used ÷ cores × hours), month by month and for the year."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[UtilisationQuerySerializer], responses=ClusterYearSerializer(many=True))
    def get(self, request):
        scope_of(request.user)
        query = UtilisationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            clusters = utilisation(query.validated_data["year"], query.validated_data.get("cluster"))
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response([cluster.as_dict() for cluster in clusters])
