from django.contrib import admin

from mesocentre.audit.models import AuditEntry
from mesocentre.core.admin import OperatorAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(OperatorAdmin):
    """Operators read the log; nobody edits it."""

    list_display = ("time", "actor", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
