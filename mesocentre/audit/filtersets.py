"""Filters of the audit log, shared by its page and its API: who, what, when."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mesocentre.audit.models import AuditEntry
from mesocentre.audit.registry import labels_of, registered_models


def object_types() -> list[tuple[str, str]]:
    """The audited models, by name: "Establishment (tenancy.establishment)"."""
    models = sorted(registered_models(), key=lambda model: model._meta.label_lower)
    return [(m._meta.label_lower, f"{capfirst(m._meta.verbose_name)} ({m._meta.label_lower})") for m in models]


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the centre's time zone, as the people who read the log count days."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        for name, day in (("since", since), ("until", until)):
            # Year 1 or 9999 cannot be moved to UTC or to the next day: a 400 naming the field, not a 500.
            if day and not 2000 <= day.year <= 2999:
                self.add_error(name, _("Give a date between the years 2000 and 2999."))
                cleaned.pop(name, None)
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned


class AuditEntryFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        lookup_expr="icontains", label=_("Who"), help_text=_("The username, or a part of it.")
    )
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, label=_("Action"))
    # An object type finds its entries under the labels it had before it moved to another app too.
    object_type = django_filters.ChoiceFilter(choices=object_types, method="filter_object_type", label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    since = django_filters.DateFilter(method="filter_since", label=_("From"), widget=forms.DateInput({"type": "date"}))
    until = django_filters.DateFilter(method="filter_until", label=_("To"), widget=forms.DateInput({"type": "date"}))

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "object_type", "object_id", "since", "until"]
        form = AuditFilterForm

    def filter_object_type(self, queryset, name, value):
        return queryset.filter(object_type__in=labels_of(value))

    def filter_since(self, queryset, name, value):
        return queryset.filter(time__gte=start_of(value))

    def filter_until(self, queryset, name, value):
        # Up to the end of that day, included.
        return queryset.filter(time__lt=start_of(value + datetime.timedelta(days=1)))


class AuditEntryApiFilterSet(AuditEntryFilterSet):
    """The API's also takes the user's id (``user``), which scripts know; the page offers no list of everyone."""

    class Meta(AuditEntryFilterSet.Meta):
        fields = [*AuditEntryFilterSet.Meta.fields, "user"]
