"""Filters of the projects' lists, shared by their pages and their API: one definition, the same rows."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.core.roles import is_operator
from mesocentre.core.tables import SearchFilterSet
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.tenancy.filtersets import YES_NO


class ProjectFilterSet(SearchFilterSet):
    search_fields = ("code", "title")
    # ``code`` (exact) and ``status`` are what the API accepted before: scripts keep working.
    code = django_filters.CharFilter(label=_("Code"), widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(choices=Project.Status.choices, label=_("Status"))
    # Open projects nobody leads any more (their PI left or was deleted): a filter, not a notice on every page of
    # the list, which would look for them among every project at each view.
    leaderless = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_leaderless", label=_("Without a principal investigator")
    )

    class Meta:
        model = Project
        fields = ["q", "code", "status", "laboratory", "paying_establishment", "theme", "leaderless"]

    def filter_leaderless(self, queryset, name: str, value: str):
        leaderless = Project.objects.without_pi().values("pk")
        return queryset.filter(pk__in=leaderless) if value == "true" else queryset.exclude(pk__in=leaderless)


class ProjectMembershipFilterSet(SearchFilterSet):
    # A project's people see each other's usernames, not their names and addresses: searching those would let them
    # test guesses ("is alice.martin@… a member?") by the count. Operators search them too.
    search_fields = ("user__username", "project__code")
    operator_search_fields = ("user__first_name", "user__last_name", "user__email")
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), widget=forms.HiddenInput)
    role = django_filters.ChoiceFilter(choices=ProjectMembership.Role.choices, label=_("Role"))

    class Meta:
        model = ProjectMembership
        fields = ["q", "project", "role"]

    def search(self, queryset, name: str, value: str):
        if is_operator(getattr(self.request, "user", None)):
            self.search_fields = self.search_fields + self.operator_search_fields
        return super().search(queryset, name, value)
