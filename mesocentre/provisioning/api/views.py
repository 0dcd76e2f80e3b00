from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mesocentre.core.api import IsOperator, ScopedViewSetMixin
from mesocentre.provisioning import services
from mesocentre.provisioning.api.serializers import CompleteTaskSerializer, ManualTaskSerializer, OperationSerializer
from mesocentre.provisioning.filtersets import ManualTaskFilterSet, OperationFilterSet
from mesocentre.provisioning.models import ManualTask, Operation


class OperationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The operation queue, read-only: operations are written by the changes that need them."""

    queryset = Operation.objects.all()
    serializer_class = OperationSerializer
    permission_classes = [IsOperator]
    filterset_class = OperationFilterSet  # the portal's operation list's too

    @extend_schema(request=None, responses=OperationSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        operation = services.retry(self.get_object(), request.user)
        return Response(OperationSerializer(operation, context={"request": request}).data)


class ManualTaskViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """What operators do by hand for the manual backend; `complete` closes a task and its operation."""

    queryset = ManualTask.objects.select_related("operation")  # the task shows its operation's target
    serializer_class = ManualTaskSerializer
    permission_classes = [IsOperator]
    filterset_class = ManualTaskFilterSet  # the portal's task list's too

    @extend_schema(request=CompleteTaskSerializer, responses=ManualTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()
        if not services.may_handle(request.user, task):
            raise PermissionDenied
        form = CompleteTaskSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        task = services.complete_manual_task(task, request.user, data["done"], data["comment"], data["backend_id"])
        return Response(ManualTaskSerializer(task, context={"request": request}).data)
