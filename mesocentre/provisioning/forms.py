from django import forms
from django.utils.translation import gettext_lazy as _


class CompleteTaskForm(forms.Form):
    OUTCOMES = [("done", _("Done")), ("failed", _("Failed"))]

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done; required when the task failed (it becomes the operation's error)."),
    )
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "failed" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the task failed."))
        return data
