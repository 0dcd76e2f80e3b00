"""Filters of the operation queue and of the manual tasks, each shared by its page and its API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from mesocentre.catalogue.models import Offering
from mesocentre.core.tables import SearchFilterSet
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.tenancy.models import Team


class OperationFilterSet(SearchFilterSet):
    search_fields = ("resource_key",)
    state = django_filters.ChoiceFilter(choices=Operation.State.choices, label=_("State"))
    backend = django_filters.CharFilter(label=_("Backend"))
    # What the API accepted before, exact: hidden on the page, where the search box does better.
    resource_type = django_filters.CharFilter(label=_("Resource type"), widget=forms.HiddenInput)
    resource_key = django_filters.CharFilter(label=_("Resource key"), widget=forms.HiddenInput)

    class Meta:
        model = Operation
        fields = ["q", "state", "backend", "resource_type", "resource_key"]


class ManualTaskFilterSet(SearchFilterSet):
    search_fields = ("title", "operation__resource_key")
    status = django_filters.ChoiceFilter(choices=ManualTask.Status.choices, label=_("Status"), empty_label=_("all"))
    # The API's ``operation`` (an id), as it accepted before: hidden on the page, where the search does better.
    operation = django_filters.ModelChoiceFilter(
        queryset=Operation.objects.all(), label=_("Operation"), widget=forms.HiddenInput
    )

    # A team's tasks: those whose target names one of its offerings (an order's task names its offering's code).
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"), method="of_team")

    class Meta:
        model = ManualTask
        fields = ["q", "status", "team", "operation"]

    @extend_schema_field(OpenApiTypes.INT)  # the team's id, as a ModelChoiceFilter takes it
    def of_team(self, queryset, name, team):
        codes = Offering.objects.filter(team=team).values_list("code", flat=True)
        return queryset.filter(operation__target__offering__in=list(codes))
