"""The lists' filter selects written out in Python: the markup Django's Select gives, options and state alike."""

import re

from django import forms

from mesocentre.core.forms import QuickSelect, quick_selects
from mesocentre.tenancy.models import ScientificTheme


class Filters(forms.Form):
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "Alpha <b>"), ("b", "Beta")], required=False)
    theme = forms.ModelChoiceField(queryset=ScientificTheme.objects.order_by("code"), required=False)
    other = forms.ChoiceField(choices=[("Group", [("x", "X")])], required=False)  # option groups: left to Django


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(v, bool(s), label) for v, s, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)<', html)]


def test_the_same_options_and_selection_as_djangos_select(db):
    fluids = ScientificTheme.objects.create(code="fluids", name="Fluid mechanics")
    ScientificTheme.objects.create(code="chem", name="Chemistry")
    django_form = Filters({"kind": "a", "theme": str(fluids.pk)})
    quick_form = Filters({"kind": "a", "theme": str(fluids.pk)})
    quick_selects(quick_form)
    assert isinstance(quick_form.fields["kind"].widget, QuickSelect)
    assert not isinstance(quick_form.fields["other"].widget, QuickSelect)
    for name in ("kind", "theme"):
        ours, theirs = str(quick_form[name]), str(django_form[name])
        assert options(ours) == options(theirs) and options(ours)
        assert f'id="id_{name}"' in ours and f'name="{name}"' in ours
    assert "Alpha &lt;b&gt;" in str(quick_form["kind"]), "labels are escaped"


def test_an_invalid_choice_is_marked_for_screen_readers(db):
    form = Filters({"kind": "zzz"})
    quick_selects(form)
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["kind"])
