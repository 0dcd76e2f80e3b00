"""The operators' forms of the billing pages: issuing a draft, crediting an invoice; the spending page's period."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.invoice_models import Invoice


class IssueForm(forms.Form):
    purchase_order = forms.CharField(
        label=_("Purchase order (engagement) number"),
        max_length=Invoice._meta.get_field("purchase_order").max_length,
        required=False,
        strip=True,
    )


class CreditForm(forms.Form):
    WHOLE, LINES = "all", "lines"
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    what = forms.ChoiceField(
        label=_("What it takes back"),
        choices=[(WHOLE, _("What is left of every line")), (LINES, _("The lines chosen below"))],
        initial=WHOLE,
        widget=forms.RadioSelect,
    )
    lines = forms.TypedMultipleChoiceField(
        label=_("Lines"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (line.position, f"{line.position}. {line.project} — {line.description}") for line in invoice.lines.all()
        ]

    def clean(self):
        data = super().clean()
        if data.get("what") == self.LINES and not data.get("lines"):
            self.add_error("lines", _("Choose the lines the credit note takes back, or take back every line."))
        return data

    def chosen_lines(self) -> list[int] | None:
        """None: every line (what is left of it); else the positions chosen."""
        return self.cleaned_data["lines"] if self.cleaned_data["what"] == self.LINES else None


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", _("The whole year"))] + [(str(n), f"Q{n}") for n in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
