"""Filters of tenancy's lists, shared by their pages and their API: one definition, the same rows."""

from functools import cache

import django_filters
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mesocentre.core.tables import SearchFilterSet
from mesocentre.tenancy.models import Establishment, Membership, Team, User

# A yes/no filter that refuses anything else (django-filter's BooleanFilter takes "maybe" for "either").
YES_NO = (("true", _("yes")), ("false", _("no")))


class EstablishmentFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "siret")
    # ``code`` (exact) and ``kind`` are what the API accepted before: scripts keep working.
    code = django_filters.CharFilter(label=_("Code"), widget=forms.HiddenInput)
    kind = django_filters.ChoiceFilter(choices=Establishment.Kind.choices, label=_("Kind"))

    class Meta:
        model = Establishment
        fields = ["q", "code", "kind"]


class MembershipFilterSet(SearchFilterSet):
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices, label=_("Role"))
    # The API's ids, as it accepted them before: hidden on an establishment's page, which is already its list.
    establishment = django_filters.ModelChoiceFilter(
        queryset=Establishment.objects.all(), label=_("Establishment"), widget=forms.HiddenInput
    )
    user = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("User"), widget=forms.HiddenInput)

    class Meta:
        model = Membership
        fields = ["q", "role", "establishment", "user"]


@cache  # a class per kind, made once
def invitation_filterset(model: type) -> type[SearchFilterSet]:
    """The filters of a kind of invitation (``invitation_kinds()``: tenancy's, and those of the apps above), for its
    API and its invitee's page: who invited (the search), the role offered; and, hidden on the page (which lists
    the pending ones), the API's target (an id) and status."""
    target = model._meta.get_field(model.target_field)

    class Meta:
        fields = ["q", "role", model.target_field, "status"]

    Meta.model = model
    attrs = {
        "search_fields": ("invited_by__username", "invited_by__first_name", "invited_by__last_name"),
        "role": django_filters.ChoiceFilter(choices=model._meta.get_field("role").choices, label=_("Role")),
        model.target_field: django_filters.ModelChoiceFilter(
            queryset=target.related_model.objects.all(), label=capfirst(target.verbose_name), widget=forms.HiddenInput
        ),
        "status": django_filters.ChoiceFilter(
            choices=model.Status.choices, label=_("Status"), widget=forms.HiddenInput
        ),
        "Meta": Meta,
    }
    return type(f"{model.__name__}FilterSet", (SearchFilterSet,), attrs)


class PersonFilterSet(SearchFilterSet):
    """People: the operators' list of them, and the users API (which keeps its exact ``username`` and
    ``unix_login``). A person belongs to an establishment once at most, so its filter adds no twin row."""

    search_fields = ("username", "first_name", "last_name", "email")
    establishment = django_filters.ModelChoiceFilter(
        field_name="memberships__establishment", queryset=Establishment.objects.all(), label=_("Establishment")
    )
    is_active = django_filters.ChoiceFilter(choices=YES_NO, method="filter_yes_no", label=_("Active"))
    charter_accepted = django_filters.ChoiceFilter(choices=YES_NO, method="filter_yes_no", label=_("Charter accepted"))
    username = django_filters.CharFilter(label=_("Username"), widget=forms.HiddenInput)
    unix_login = django_filters.CharFilter(label=_("Unix login"), widget=forms.HiddenInput)

    class Meta:
        model = User
        fields = ["q", "establishment", "is_active", "charter_accepted", "username", "unix_login"]

    def filter_yes_no(self, queryset, name: str, value: str):
        yes = value == "true"
        if name == "charter_accepted":
            return queryset.filter(charter_accepted_at__isnull=not yes)
        return queryset.filter(**{name: yes})


class TeamFilterSet(SearchFilterSet):
    """The operations teams: the operators' list and the teams API."""

    search_fields = ("code", "name", "description")
    kind = django_filters.ChoiceFilter(choices=Team.Kind.choices, label=_("Kind"))
    code = django_filters.CharFilter(label=_("Code"), widget=forms.HiddenInput)
    member = django_filters.ModelChoiceFilter(
        field_name="memberships__user", queryset=User.objects.all(), label=_("Member"), widget=forms.HiddenInput
    )

    class Meta:
        model = Team
        fields = ["q", "kind", "code", "member"]
