from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mesocentre.core.admin import OperatorAdmin, OperatorInline, ReadOnlyOperatorAdmin
from mesocentre.core.roles import is_operator
from mesocentre.tenancy import erasure
from mesocentre.tenancy.models import (
    ApiToken,
    Establishment,
    Laboratory,
    Membership,
    ScientificTheme,
    Team,
    TeamMembership,
    User,
)

# What makes a user more than an operator: only a superuser grants it (a superuser reads and does everything), so
# an operator cannot make themselves or an accomplice one. Being an operator implies is_staff (User.save).
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(User)
class MesocentreUserAdmin(OperatorAdmin, UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Mesocentre", {"fields": ("unix_login", "is_operator", "is_reviewer")}),)
    list_display = ("username", "get_full_name", "email", "unix_login", "is_operator", "is_reviewer")
    actions = ["erase"]

    @admin.action(description=gettext_lazy("Erase the selected users (GDPR: pseudonymised, cannot be undone)"))
    def erase(self, request, queryset):
        # Each one in its own transaction: a refusal (an operator's account, one's own) leaves the others erased.
        for user in queryset.order_by("pk"):
            name = user.username
            try:
                done = erasure.erase(request.user, user)
            except (PermissionDenied, ValidationError) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{name}: {reason}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("User #%(pk)s is erased: now %(pseudonym)s.") % {"pk": user.pk, "pseudonym": done.pseudonym},
                )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_operator(request.user):
            actions.pop("erase", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else fields + PRIVILEGE_FIELDS

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its password included) is a superuser's business: an operator who could edit it
        # could become that superuser.
        return super().has_change_permission(request, obj) and not _above(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _above(request.user, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Read-only fields are not in an operator's form, so Django would drop them from a POST without a word; a
        # POST that carries one was made by hand to grant a privilege: refuse it, so that the attempt shows.
        if request.method == "POST" and not request.user.is_superuser:
            crafted = sorted(field for field in PRIVILEGE_FIELDS if field in request.POST)
            if crafted:
                raise PermissionDenied(f"Only a superuser changes {', '.join(crafted)}.")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The last guard, whatever the form holds: a non-superuser's save never grants a privilege.
        if not request.user.is_superuser:
            before = User.objects.get(pk=obj.pk) if change else User()
            if obj.is_superuser != before.is_superuser or (obj.is_staff and not before.is_staff):
                raise PermissionDenied("Only a superuser grants superuser or staff status.")
        super().save_model(request, obj, form, change)


def _above(user: User, obj: User | None) -> bool:
    """Whether obj is a superuser that user, who is not one, must leave alone."""
    return obj is not None and obj.is_superuser and not user.is_superuser


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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyOperatorAdmin):
    """Which tokens exist, whose, how recent: never a key (it is not stored) nor its digest. Operators revoke."""

    list_display = ("prefix", "user", "created", "last_used_at")
    search_fields = ("prefix", "user__username")
    fields = ("prefix", "user", "created", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request.user)


class TeamMembershipInline(OperatorInline, admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ("user",)  # TeamMembership.clean() refuses a non-operator, with the field named


@admin.register(Team)
class TeamAdmin(OperatorAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    inlines = [TeamMembershipInline]
