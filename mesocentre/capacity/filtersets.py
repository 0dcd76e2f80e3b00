"""Filters of capacity's lists, shared by their page and their API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.capacity.models import Pod, Rack, Site
from mesocentre.core.tables import SearchFilterSet


class PodFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all(), label=_("Site"))
    code = django_filters.CharFilter(label=_("Code"), widget=forms.HiddenInput)

    class Meta:
        model = Pod
        fields = ["q", "site", "code"]


class RackFilterSet(django_filters.FilterSet):
    pod = django_filters.ModelChoiceFilter(queryset=Pod.objects.all(), label=_("POD"))

    class Meta:
        model = Rack
        fields = ["pod", "number"]
