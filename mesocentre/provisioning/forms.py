from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.provisioning.models import ManualTask

BACKEND_ID_MAX = ManualTask._meta.get_field("backend_id").max_length


class CompleteTaskForm(forms.Form):
    OUTCOMES = [("done", _("Done")), ("failed", _("Failed"))]

    backend_id = forms.CharField(
        label=_("Identifier in the backend"),
        required=False,
        max_length=BACKEND_ID_MAX,
        help_text=_("Required when done: what the resource is called where you made it (rack slot, volume, host)."),
    )
    comment = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done; required when the task failed (it becomes the operation's error)."),
    )
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "failed" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the task failed."))
        if data.get("outcome") == "done" and "backend_id" in data and not data["backend_id"].strip():
            self.add_error("backend_id", _("Give the resource's identifier in the backend."))
        return data
