from django import forms
from django.utils.translation import gettext_lazy as _


class InviteForm(forms.Form):
    """Whom to invite: an address or a username, never looked up here (the answer would tell who exists)."""

    to = forms.CharField(
        label=_("E-mail address or username"), max_length=254, help_text=_("They join once they accept.")
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles, **kwargs):
        # Its own ids: the page that shows it lists members above it, with a filter that has a "role" too, and a
        # label must point at its own field (two id_role would send "Role" to the filter's).
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"), max_length=254)


class CharterVersionForm(forms.Form):
    text = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 12}))
    text_fr = forms.CharField(label=_("Text (French)"), widget=forms.Textarea(attrs={"rows": 12}), required=False)
    in_force_from = forms.DateTimeField(
        label=_("In force from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: in force now. Everyone is asked to accept it from that moment."),
    )
