from rest_framework import viewsets

from mesocentre.audit.api.serializers import AuditEntrySerializer
from mesocentre.audit.models import AuditEntry
from mesocentre.core.api import IsOperator, ScopedViewSetMixin


class AuditEntryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only audit log: operators read it, nobody writes it through the API."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    permission_classes = [IsOperator]
    filterset_fields = ["object_type", "object_id", "action", "user"]

    def get_queryset(self):
        return AuditEntry.objects.visible_to(self.request.user).order_by("-time", "-pk")
