"""What every portal form shares."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_refusal(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on ``form``: on the field it names when the form has it, else above the form (a model's
    ``clean`` may name a field the form does not show — ``add_error`` would raise instead of showing it)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(
            field if field in form.fields else None, ValidationError(errors) if field != NON_FIELD_ERRORS else errors
        )
