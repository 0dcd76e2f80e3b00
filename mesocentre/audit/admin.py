from django.contrib import admin

from mesocentre.audit.models import AuditEntry
from mesocentre.core.admin import ReadOnlyOperatorAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyOperatorAdmin):
    """Operators read the log; nobody edits it."""

    list_display = ("time", "actor", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
