from rest_framework import viewsets

from mesocentre.capacity.api.serializers import HostSerializer, PodSerializer, RackSerializer, SiteSerializer
from mesocentre.capacity.filtersets import PodFilterSet, RackFilterSet
from mesocentre.capacity.models import Host, Pod, Rack, Site
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


class PodViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Pod.objects.with_totals()
    serializer_class = PodSerializer
    permission_classes = [IsOperator]
    filterset_class = PodFilterSet  # the portal's list of PODs's too


class RackViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Rack.objects.all()
    serializer_class = RackSerializer
    permission_classes = [IsOperator]
    filterset_class = RackFilterSet
