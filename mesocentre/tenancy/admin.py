from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from mesocentre.core.admin import OperatorAdmin, OperatorInline
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, User


@admin.register(User)
class MesocentreUserAdmin(OperatorAdmin, UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Mesocentre", {"fields": ("unix_login", "is_operator", "is_reviewer")}),)
    list_display = ("username", "get_full_name", "email", "unix_login", "is_operator", "is_reviewer")


class MembershipInline(OperatorInline, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Establishment)
class EstablishmentAdmin(OperatorAdmin):
    list_display = ("name", "code", "kind", "siret", "chorus_service_code")
    list_filter = ("kind",)
    search_fields = ("name", "code", "siret")
    inlines = [MembershipInline]


@admin.register(Laboratory)
class LaboratoryAdmin(OperatorAdmin):
    list_display = ("code", "name", "theme")
    filter_horizontal = ("establishments",)


admin.site.register(ScientificTheme, OperatorAdmin)
