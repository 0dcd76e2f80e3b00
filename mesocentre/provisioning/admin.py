from django.contrib import admin

from mesocentre.core.admin import OperatorAdmin, ReadOnlyOperatorAdmin
from mesocentre.provisioning.models import ManualTask, Operation, SlurmCluster


class ManualTaskInline(admin.TabularInline):
    model = ManualTask
    extra = 0
    fields = ("title", "status", "backend_id", "comment", "completed_by", "completed_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Operation)
class OperationAdmin(ReadOnlyOperatorAdmin):
    """Read-only: state changes go through services (retry, manual tasks) so the queue's rules hold."""

    list_display = ("pk", "backend", "resource_type", "resource_key", "state", "attempts", "next_attempt_at")
    list_filter = ("state", "backend")
    search_fields = ("resource_key", "last_error")
    inlines = [ManualTaskInline]


@admin.register(ManualTask)
class ManualTaskAdmin(ReadOnlyOperatorAdmin):
    list_display = ("pk", "title", "status", "operation", "backend_id", "completed_by", "completed_at")
    list_filter = ("status",)
    search_fields = ("title", "comment", "backend_id")


@admin.register(SlurmCluster)
class SlurmClusterAdmin(OperatorAdmin):
    list_display = ("name", "slurm_conf", "root_account", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
