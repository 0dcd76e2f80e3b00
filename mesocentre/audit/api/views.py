from rest_framework import viewsets

from mesocentre.audit.api.serializers import AuditEntrySerializer
from mesocentre.audit.filtersets import AuditEntryApiFilterSet
from mesocentre.audit.models import AuditEntry
from mesocentre.core.api import IsOperator, ScopedViewSetMixin


class AuditEntryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only audit log: operators read it, nobody writes it through the API."""

    queryset = AuditEntry.objects.order_by("-time", "-pk")  # the newest first, as the page
    serializer_class = AuditEntrySerializer
    permission_classes = [IsOperator]
    # The page's filters (who, what, when: actor, action, object_type, object_id, since, until) and the user's id.
    filterset_class = AuditEntryApiFilterSet
