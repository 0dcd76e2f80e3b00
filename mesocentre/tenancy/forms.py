from django import forms
from django.utils.translation import gettext_lazy as _

from mesocentre.tenancy.models import Membership, User


class AddMemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"]
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise forms.ValidationError(_("No user has this username.")) from None


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"), max_length=254)
