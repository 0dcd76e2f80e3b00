"""What every portal form shares."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


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


class QuickSelect(forms.Select):
    """A ``<select>`` written out in Python, for the lists' filter forms.

    Django renders each ``<option>`` through a template (about 50 µs each) and reads a model's choices through a
    server-side cursor (three round trips): the three selects of the project list's filters cost a fifth of the
    page. This one has the same markup and the bound field's attributes (id, ``aria-invalid``,
    ``aria-describedby``), escaped by ``format_html``; its options are given once, as (value, label) strings."""

    def __init__(self, attrs=None, options: list[tuple[str, str]] = ()):
        super().__init__(attrs)
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option, mark_safe(" selected") if option == chosen else "", label) for option, label in self.options),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


def quick_selects(form: forms.Form) -> None:
    """Give every plain ``<select>`` of ``form`` a ``QuickSelect`` with its choices (a model's read in one query)."""
    for field in form.fields.values():
        if type(field.widget) is not forms.Select:
            continue
        if isinstance(field, forms.ModelChoiceField):
            options = [("", str(field.empty_label))] if field.empty_label is not None else []
            options += [(str(field.prepare_value(obj)), str(field.label_from_instance(obj))) for obj in field.queryset]
        elif all(not isinstance(label, list | tuple) for _value, label in field.choices):
            options = [("" if value is None else str(value), str(label)) for value, label in field.choices]
        else:
            continue  # option groups: Django's own widget
        field.widget = QuickSelect(field.widget.attrs, options)
