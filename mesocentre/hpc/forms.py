from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.hpc.models import Allocation, ChangeRequest, Round
from mesocentre.hpc.models.allocations import DEFAULT_CLUSTER
from mesocentre.projects.forms import DATE, MOMENT  # noqa: F401 - one date widget for every form
from mesocentre.tenancy.models import Laboratory, ScientificTheme, User


class UsernameField(forms.CharField):
    """An existing user by username: for operators' forms only (it says whether the username exists)."""

    def clean(self, value):
        username = super().clean(value)
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise forms.ValidationError(_("No user has this username.")) from None


class RequestForm(forms.Form):
    round = forms.ModelChoiceField(label=_("Round"), queryset=Round.objects.none())
    cpu_core_hours = forms.IntegerField(label=_("CPU core-hours"), min_value=0)
    gpu_hours = forms.IntegerField(label=_("GPU hours"), min_value=0, initial=0)
    scratch_gb = forms.IntegerField(label=_("Scratch storage (GB)"), min_value=0, initial=0)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, open_rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = Round.objects.filter(pk__in=[r.pk for r in open_rounds])


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Score"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)])
    private_comment = forms.CharField(
        label=_("Comment for the committee (never shown to the PI)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    public_comment = forms.CharField(
        label=_("Comment for the PI"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DecisionForm(forms.Form):
    cpu_core_hours = forms.IntegerField(label=_("Granted CPU core-hours"), min_value=0)
    gpu_hours = forms.IntegerField(label=_("Granted GPU hours"), min_value=0, initial=0)
    reason = forms.CharField(
        label=_("Reason (required when less than asked is granted)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    cluster = forms.CharField(label=_("Cluster"), max_length=40, initial=DEFAULT_CLUSTER)
    override_budget = forms.BooleanField(
        label=_("Grant beyond the round's remaining budget"), required=False, initial=False
    )
    override_reason = forms.CharField(
        label=_("Why beyond the budget (required with the override)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignReviewerForm(forms.Form):
    request = forms.IntegerField(label=_("Request"), widget=forms.HiddenInput)
    reviewer = UsernameField(label=_("Reviewer's username"), max_length=150)


class ChangeRequestForm(forms.Form):
    change_type = forms.ChoiceField(label=_("Type of change"), choices=ChangeRequest.Kind.choices)
    extra_cpu_core_hours = forms.IntegerField(label=_("Extra CPU core-hours"), min_value=0, required=False)
    extra_gpu_hours = forms.IntegerField(label=_("Extra GPU hours"), min_value=0, required=False)
    new_ends_on = forms.DateField(
        label=_("New end date (for an extension)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 5}))

    def clean(self):
        data = super().clean()
        for name in ("extra_cpu_core_hours", "extra_gpu_hours"):
            data[name] = data.get(name) or 0  # left empty: none asked
        return data


class AllocationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Allocation.Status.choices)


class ChangeDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "yes", choices=[("yes", _("Approve")), ("no", _("Refuse"))]
    )


class CallForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=MOMENT)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=MOMENT)
    cpu_budget = forms.IntegerField(label=_("Core-hour budget"), min_value=0)
    gpu_budget = forms.IntegerField(label=_("GPU-hour budget"), min_value=0, initial=0)
    reviews_due_on = forms.DateField(
        label=_("Reviews due on"),
        required=False,
        widget=DATE,
        help_text=_("Optional; not before the round closes. Without it, reviews are due when the round closes."),
    )


class RoundBudgetForm(forms.Form):
    """A line of a round's budget: for a theme or for a laboratory, exactly one (the model says so)."""

    theme = forms.ModelChoiceField(label=_("Scientific theme"), queryset=ScientificTheme.objects.all(), required=False)
    laboratory = forms.ModelChoiceField(label=_("Laboratory"), queryset=Laboratory.objects.all(), required=False)
    cpu_budget = forms.IntegerField(label=_("Core-hour budget"), min_value=0)
    gpu_budget = forms.IntegerField(label=_("GPU-hour budget"), min_value=0, initial=0)


class RequestEditForm(forms.Form):
    cpu_core_hours = forms.IntegerField(label=_("CPU core-hours"), min_value=0)
    gpu_hours = forms.IntegerField(label=_("GPU hours"), min_value=0, initial=0)
    scratch_gb = forms.IntegerField(label=_("Scratch storage (GB)"), min_value=0, initial=0)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 6}))
