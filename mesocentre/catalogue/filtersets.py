import django_filters
from django.utils.translation import gettext_lazy as _

from mesocentre.catalogue.models import Component, Offering, Plan, Price


class OfferingFilterSet(django_filters.FilterSet):
    team = django_filters.CharFilter(field_name="team__code", label=_("Team (code)"))

    class Meta:
        model = Offering
        fields = ["code", "kind", "status", "team"]


class PlanFilterSet(django_filters.FilterSet):
    offering = django_filters.CharFilter(field_name="offering__code")

    class Meta:
        model = Plan
        fields = ["offering", "code"]


class ComponentFilterSet(django_filters.FilterSet):
    class Meta:
        model = Component
        fields = ["plan", "code", "billing_type"]


class PriceFilterSet(django_filters.FilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on")

    class Meta:
        model = Price
        fields = ["component"]

    def filter_valid_on(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(valid_from__lte=value).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=value))
