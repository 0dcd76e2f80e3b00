from rest_framework import viewsets

from mesocentre.audit.api.serializers import AuditEntrySerializer
from mesocentre.audit.filtersets import AuditEntryApiFilterSet
from mesocentre.audit.models import AuditEntry
from mesocentre.core.api import IsOperator, ScopedViewSetMixin


class AuditEntryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only audit log: operators read it, nobody writes it through the API."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    permission_classes = [IsOperator]
    # The page's filters (who, what, when: actor, action, object_type, object_id, since, until) and the user's id.
    filterset_class = AuditEntryApiFilterSet

    def get_queryset(self):
        return AuditEntry.objects.visible_to(self.request.user).order_by("-time", "-pk")
