"""Filters of tenancy's lists, shared by their pages and their API: one definition, the same rows."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.core.tables import SearchFilterSet
from mesocentre.tenancy.models import Establishment


class EstablishmentFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "siret")
    # ``code`` (exact) and ``kind`` are what the API accepted before: scripts keep working.
    code = django_filters.CharFilter(label=_("Code"), widget=forms.HiddenInput)
    kind = django_filters.ChoiceFilter(choices=Establishment.Kind.choices, label=_("Kind"))

    class Meta:
        model = Establishment
        fields = ["q", "code", "kind"]
