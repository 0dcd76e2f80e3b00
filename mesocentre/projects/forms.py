"""The forms of a project itself: creating one (its people join by invitation, ``tenancy.forms.InviteForm``), and
its proof of impact (publications, grants)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProjectForm(forms.Form):
    """A new project: the laboratories offered are the ones its creator may choose (``laboratories``)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    code = forms.SlugField(
        label=_("Code"), max_length=50, help_text=_("Stable: the Slurm account name derives from it.")
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    laboratory = forms.ModelChoiceField(label=_("Laboratory"), queryset=Laboratory.objects.none())
    paying_establishment = forms.ModelChoiceField(
        label=_("Paying establishment"),
        queryset=Establishment.objects.none(),
        help_text=_("One of the laboratory's establishments."),
    )
    theme = forms.ModelChoiceField(label=_("Scientific theme"), queryset=ScientificTheme.objects.all())
    data_management_plan_url = forms.URLField(
        label=_("Data management plan (URL)"), required=False, assume_scheme="https"
    )
    starts_on = forms.DateField(label=_("Start date"), widget=DATE)
    ends_on = forms.DateField(label=_("End date"), required=False, widget=DATE)

    def __init__(self, *args, laboratories=None, payers=None, **kwargs):
        super().__init__(*args, **kwargs)
        labs = laboratories if laboratories is not None else Laboratory.objects.none()
        self.fields["laboratory"].queryset = labs
        payers = payers if payers is not None else Establishment.objects.all()
        self.fields["paying_establishment"].queryset = payers.filter(laboratories__in=labs).distinct()


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
