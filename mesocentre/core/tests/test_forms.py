from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from mesocentre.core.forms import add_refusal


class HoursForm(forms.Form):
    hours = forms.IntegerField()


def test_a_refusal_lands_on_its_field_or_above_the_form_when_the_form_has_no_such_field():
    form = HoursForm({"hours": "3"})
    assert form.is_valid()
    add_refusal(form, ValidationError({"hours": "Too many.", "round": "This round is not open."}))
    assert form.errors["hours"] == ["Too many."]
    assert form.errors[NON_FIELD_ERRORS] == ["This round is not open."]
    plain = HoursForm({"hours": "3"})
    plain.is_valid()
    add_refusal(plain, ValidationError("No."))
    assert plain.non_field_errors() == ["No."]
