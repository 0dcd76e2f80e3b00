from rest_framework import viewsets

from mesocentre.capacity.api.serializers import HostSerializer, SiteSerializer
from mesocentre.capacity.models import Host, Site
from mesocentre.core.api import IsOperator, ScopedViewSetMixin


class SiteViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    permission_classes = [IsOperator]
    filterset_fields = ["code", "is_recovery_site"]


class HostViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Host.objects.all()
    serializer_class = HostSerializer
    permission_classes = [IsOperator]
    filterset_fields = ["site", "in_maintenance"]
