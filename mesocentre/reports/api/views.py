"""The reports as JSON, scoped as the pages are (``periods.scope_of``): operators every establishment's figures, an
establishment's managers theirs, anyone else a 403. A bad parameter is a 400 naming it."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mesocentre.reports import forms
from mesocentre.reports.api.serializers import (
    ClusterYearSerializer,
    UsageQuerySerializer,
    UsageReportSerializer,
    UtilisationQuerySerializer,
)
from mesocentre.reports.periods import scope_of
from mesocentre.reports.usage import usage_report
from mesocentre.reports.utilisation import utilisation


def _read(reader, params):
    """The parameters, read as the pages and the command line read them (strictly: 2018.0 is no year); a refusal is a
    400 naming the parameter."""
    try:
        return reader(params, timezone.localdate().year)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from None


class UsageReportView(APIView):
    """Consumption (core-hours, GPU-hours, kWh) and spending (issued invoices, HT) by an axis, for a year or a
    quarter."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[UsageQuerySerializer], responses=UsageReportSerializer)
    def get(self, request):
        scope = scope_of(request.user)
        by, period = _read(forms.read_usage, request.query_params)
        return Response(usage_report(by, period, scope).as_dict())


class UtilisationReportView(APIView):
    """Each cluster's utilisation (core-hours used ÷ cores × hours), month by month and for the year."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[UtilisationQuerySerializer], responses=ClusterYearSerializer(many=True))
    def get(self, request):
        scope_of(request.user)
        year, cluster = _read(forms.read_utilisation, request.query_params)
        try:
            clusters = utilisation(year, cluster)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response([item.as_dict() for item in clusters])
