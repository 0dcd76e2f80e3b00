"""Filters of the resources' and orders' lists, shared by their pages and their API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from mesocentre.catalogue.models import Offering
from mesocentre.core.tables import SearchFilterSet
from mesocentre.projects.models import Project
from mesocentre.resources.models import Order, Quota, Resource
from mesocentre.tenancy.models import Establishment, Team


class ResourceFilterSet(SearchFilterSet):
    search_fields = ("name", "backend_id", "project__code")
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"))
    establishment = django_filters.ModelChoiceFilter(
        field_name="project__paying_establishment", queryset=Establishment.objects.all(), label=_("Establishment")
    )
    offering = django_filters.ModelChoiceFilter(queryset=Offering.objects.all(), label=_("Offering"))
    state = django_filters.MultipleChoiceFilter(choices=Resource.State.choices, label=_("State"))

    class Meta:
        model = Resource
        fields = ["q", "project", "establishment", "offering", "state"]


class OrderFilterSet(SearchFilterSet):
    search_fields = ("name", "project__code", "resource__name")
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"))
    establishment = django_filters.ModelChoiceFilter(
        field_name="project__paying_establishment", queryset=Establishment.objects.all(), label=_("Establishment")
    )
    offering = django_filters.ModelChoiceFilter(queryset=Offering.objects.all(), label=_("Offering"))
    team = django_filters.ModelChoiceFilter(field_name="offering__team", queryset=Team.objects.all(), label=_("Team"))
    state = django_filters.MultipleChoiceFilter(choices=Order.State.choices, label=_("State"))
    type = django_filters.ChoiceFilter(choices=Order.Type.choices, label=_("Type"))

    class Meta:
        model = Order
        fields = ["q", "project", "establishment", "offering", "team", "state", "type"]


class QuotaFilterSet(django_filters.FilterSet):
    establishment = django_filters.ModelChoiceFilter(queryset=Establishment.objects.all(), label=_("Establishment"))
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"))
    dimension = django_filters.ChoiceFilter(choices=Quota.Dimension.choices, label=_("Dimension"))

    class Meta:
        model = Quota
        fields = ["establishment", "laboratory", "project", "dimension"]
