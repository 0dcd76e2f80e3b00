from django import forms
from django.utils.translation import gettext_lazy as _


class NewTariffForm(forms.Form):
    amount = forms.DecimalField(label=_("New price HT (€)"), min_value=0, max_digits=18, decimal_places=8)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
