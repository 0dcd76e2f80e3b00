from rest_framework import viewsets

from mesocentre.catalogue import filtersets
from mesocentre.catalogue.api import serializers
from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
from mesocentre.core.api import PublicReadOperatorWrite, ScopedViewSetMixin


class CatalogueViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    permission_classes = [PublicReadOperatorWrite]


class PriceListViewSet(CatalogueViewSet):
    queryset = PriceList.objects.all()
    serializer_class = serializers.PriceListSerializer


class OfferingViewSet(CatalogueViewSet):
    queryset = Offering.objects.all()
    serializer_class = serializers.OfferingSerializer
    filterset_class = filtersets.OfferingFilterSet


class PlanViewSet(CatalogueViewSet):
    queryset = Plan.objects.prefetch_related("components")
    serializer_class = serializers.PlanSerializer
    filterset_class = filtersets.PlanFilterSet


class ComponentViewSet(CatalogueViewSet):
    queryset = Component.objects.all()
    serializer_class = serializers.ComponentSerializer
    filterset_class = filtersets.ComponentFilterSet


class PriceViewSet(CatalogueViewSet):
    queryset = Price.objects.all()
    serializer_class = serializers.PriceSerializer
    filterset_class = filtersets.PriceFilterSet
