from django.contrib import admin

from mesocentre.capacity.models import Host, Pod, Rack, Site
from mesocentre.core.admin import OperatorAdmin, OperatorInline

admin.site.register(Site, OperatorAdmin)


@admin.register(Host)
class HostAdmin(OperatorAdmin):
    list_display = ("name", "site", "vcpu", "ram_gb", "disk_gb", "vcpu_ratio", "ram_ratio", "in_maintenance")
    list_filter = ("site", "in_maintenance")


class RackInline(OperatorInline, admin.TabularInline):
    model = Rack
    extra = 0


@admin.register(Pod)
class PodAdmin(OperatorAdmin):
    list_display = ("code", "name", "site", "hot_aisle_width_m")
    inlines = [RackInline]


@admin.register(Rack)
class RackAdmin(OperatorAdmin):
    list_display = ("__str__", "pod", "number", "height_u", "power_budget_kw")
    list_filter = ("pod",)
    list_select_related = ("pod",)
