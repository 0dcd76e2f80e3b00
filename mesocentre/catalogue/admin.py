from django.contrib import admin

from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
from mesocentre.core.admin import OperatorAdmin, OperatorInline


class PriceInline(OperatorInline, admin.TabularInline):
    model = Price
    extra = 0


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
    list_display = ("name", "code", "kind", "status", "backend")


admin.site.register(PriceList, OperatorAdmin)
admin.site.register(Price, OperatorAdmin)
