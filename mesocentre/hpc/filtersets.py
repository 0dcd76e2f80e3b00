"""Filters of the HPC lists, shared by their pages and their API: one definition, the same rows."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.core.tables import SearchFilterSet
from mesocentre.hpc.models import Allocation, AllocationRequest, ChangeRequest, Round
from mesocentre.projects.models import Project


class AllocationFilterSet(SearchFilterSet):
    search_fields = ("project__code",)
    # The API's ``project`` (an id): hidden on the page, where a <select> of every project would be the page.
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(choices=Allocation.Status.choices, label=_("Status"))
    cluster = django_filters.CharFilter(label=_("Cluster"))
    ends_after = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="gte", label=_("Ends on or after"), widget=forms.DateInput({"type": "date"})
    )
    ends_before = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="lte", label=_("Ends on or before"), widget=forms.DateInput({"type": "date"})
    )

    class Meta:
        model = Allocation
        fields = ["q", "project", "cluster", "status", "ends_after", "ends_before"]


class AllocationRequestFilterSet(SearchFilterSet):
    search_fields = ("project__code", "project__title")
    # The API's ``project`` and ``round`` (ids): hidden on the page, where the round is chosen from the open ones.
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), widget=forms.HiddenInput)
    round = django_filters.ModelChoiceFilter(queryset=Round.objects.select_related("call"), label=_("Round"))
    status = django_filters.ChoiceFilter(choices=AllocationRequest.Status.choices, label=_("Status"))

    class Meta:
        model = AllocationRequest
        fields = ["q", "project", "round", "status"]


class ChangeRequestFilterSet(SearchFilterSet):
    search_fields = ("allocation__project__code", "justification")
    allocation = django_filters.ModelChoiceFilter(queryset=Allocation.objects.all(), widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(choices=ChangeRequest.Status.choices, label=_("Status"))
    change_type = django_filters.ChoiceFilter(choices=ChangeRequest.Kind.choices, label=_("Type of change"))
    cluster = django_filters.CharFilter(field_name="allocation__cluster", label=_("Cluster"))

    class Meta:
        model = ChangeRequest
        fields = ["q", "allocation", "status", "change_type", "cluster"]
