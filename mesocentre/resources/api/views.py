"""The API of resources (read-only: orders change them), orders (placed, approved, rejected, cancelled, retried
through ``resources.orders``) and quotas (operators write them). Every list is scoped by its model's
``visible_to`` and filtered by the portal's FilterSets."""

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mesocentre.core.api import IsOperatorOrReadOnly, ScopedViewSetMixin
from mesocentre.projects.api.views import ReadCreate
from mesocentre.resources import orders
from mesocentre.resources.api import serializers
from mesocentre.resources.filtersets import OrderFilterSet, QuotaFilterSet, ResourceFilterSet
from mesocentre.resources.models import Order, Quota, Resource, ResourcePeriod


@contextmanager
def refusals_as_403():
    """The services' ``PermissionDenied`` says who may: DRF's handler would replace it by its generic message."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc


class ResourceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """What the caller's projects hold, each with its period in force; a detail adds its whole history."""

    queryset = Resource.objects.select_related("project", "offering")
    serializer_class = serializers.ResourceSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ResourceFilterSet  # the portal's resource list's too

    def get_queryset(self):
        periods = ResourcePeriod.objects.select_related("plan").order_by("valid_from", "pk")
        if self.action == "retrieve":
            prefetch = Prefetch("periods", queryset=periods, to_attr="history")
        else:  # a list reads only the period in force: one query for every row
            prefetch = Prefetch("periods", queryset=periods.filter(valid_until__isnull=True), to_attr="open_periods")
        return super().get_queryset().prefetch_related(prefetch)

    def get_serializer_class(self):
        return serializers.ResourceDetailSerializer if self.action == "retrieve" else serializers.ResourceSerializer


class OrderViewSet(ScopedViewSetMixin, ReadCreate):
    """The caller's projects' orders. A POST places one (``orders.place``: refused naming the field before anything
    is written); each action moves it along its states, refused with the rule (403) or the field (400)."""

    queryset = Order.objects.select_related(
        "project",
        "offering",
        "plan",
        "created_by",
        "consumer_reviewed_by",
        "provider_reviewed_by",
        "decided_by",
    )
    serializer_class = serializers.OrderSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = OrderFilterSet  # the portal's order list's too

    def perform_create(self, serializer):
        with refusals_as_403():
            serializer.save()

    def _moved(self, verb: Callable[..., Order], *args: Any) -> Response:
        with refusals_as_403():
            order = verb(self.get_object(), self.request.user, *args)
        order = self.queryset.get(pk=order.pk)  # read back with what the representation shows
        return Response(self.get_serializer(order).data)

    def _reason(self) -> str:
        data = serializers.ReasonSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["reason"]

    @extend_schema(request=None, responses=serializers.OrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, format=None):
        """The project's PI or manager (or its establishment's manager), then the offering's team, approve."""
        return self._moved(orders.approve)

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.OrderSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, format=None):
        """Whoever may approve the order now rejects it, saying why."""
        return self._moved(orders.reject, self._reason())

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        """Its author, the project's PI or manager or the offering's team cancel it, saying why (an erred order:
        the team only)."""
        return self._moved(orders.cancel, self._reason())

    @extend_schema(request=None, responses=serializers.OrderSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None, format=None):
        """The offering's team runs an erred order again."""
        return self._moved(orders.retry)


class QuotaViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """The quotas over the caller's establishments, laboratories and projects; operators set them. A detail says
    how much is in use (held and on order): a list does not, to keep to a few queries."""

    queryset = Quota.objects.all()
    serializer_class = serializers.QuotaSerializer
    permission_classes = [IsOperatorOrReadOnly]
    filterset_class = QuotaFilterSet

    def get_serializer_class(self):
        return serializers.QuotaSerializer if self.action == "list" else serializers.QuotaDetailSerializer
