"""Filters of the budgets' list, shared by its page and its API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.budget_models import Budget
from mesocentre.projects.models import Project
from mesocentre.tenancy.models import Establishment


class BudgetFilterSet(django_filters.FilterSet):
    establishment = django_filters.ModelChoiceFilter(queryset=Establishment.objects.all(), label=_("Establishment"))
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"))
    period = django_filters.ChoiceFilter(choices=Budget.Period.choices, label=_("Period"))
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2999)

    class Meta:
        model = Budget
        fields = ["establishment", "project", "period", "year"]
