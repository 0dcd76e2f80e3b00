"""The forms of a project's people beyond asking for hours: editing a request, recording their proof of impact."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RequestEditForm(forms.Form):
    cpu_core_hours = forms.IntegerField(label=_("CPU core-hours"), min_value=0)
    gpu_hours = forms.IntegerField(label=_("GPU hours"), min_value=0, initial=0)
    scratch_gb = forms.IntegerField(label=_("Scratch storage (GB)"), min_value=0, initial=0)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 6}))


class PublicationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    doi = forms.CharField(
        label=_("DOI"),
        max_length=200,
        required=False,
        help_text=_("e.g. 10.1000/xyz123 (or its https://doi.org/ link)"),
    )
    url = forms.URLField(label=_("URL"), required=False, assume_scheme="https")
    year = forms.IntegerField(label=_("Year"))


class GrantForm(forms.Form):
    funder = forms.CharField(label=_("Funder"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=100)
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=12, decimal_places=2, required=False)
    starts_on = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
