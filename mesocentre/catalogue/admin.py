from django.contrib import admin

from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ("plan", "code", "name", "unit", "billing_type", "vat_rate")
    inlines = [PriceInline]


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("offering", "code", "name")
    inlines = [ComponentInline]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "status", "backend")


admin.site.register(PriceList)
admin.site.register(Price)
