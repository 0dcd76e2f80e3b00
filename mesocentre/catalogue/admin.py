from django.contrib import admin

from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
from mesocentre.core.admin import OperatorAdmin, OperatorInline


class PriceInline(OperatorInline, admin.TabularInline):
    model = Price
    extra = 0
    can_delete = False  # a price that has started is never deleted; a future one is, from its own page


@admin.register(Component)
class ComponentAdmin(OperatorAdmin):
    list_display = ("plan", "code", "name", "unit", "billing_type", "vat_rate")
    inlines = [PriceInline]


class ComponentInline(OperatorInline, admin.TabularInline):
    model = Component
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(OperatorAdmin):
    list_display = ("offering", "code", "name")
    inlines = [ComponentInline]


@admin.register(Offering)
class OfferingAdmin(OperatorAdmin):
    list_display = ("name", "code", "kind", "team", "status", "backend")
    list_filter = ("team", "kind", "status")
    list_select_related = ("team",)


admin.site.register(PriceList, OperatorAdmin)


@admin.register(Price)
class PriceAdmin(OperatorAdmin):
    def has_delete_permission(self, request, obj=None):
        # A price that has started is never deleted (the model refuses it): the admin does not offer it.
        if obj is not None and obj.has_started():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete would bypass the per-price refusal above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
