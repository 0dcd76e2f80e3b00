"""What every portal page of projects shares: a form page, a refusal in words."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from mesocentre.core.forms import add_refusal


def refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def invalid(request, template, context):
    """A form that is refused is shown again, with its errors, as a 400."""
    return render(request, template, context, status=400)


def form_page(request, template: str, context: dict, act):
    """GET shows ``context["form"]``; POST validates it and calls ``act(cleaned_data)``, which calls a service and
    returns the response. An invalid form or a service's ValidationError shows the form again, as a 400."""
    if request.method != "POST":
        return render(request, template, context)
    form = context["form"]
    if form.is_valid():
        try:
            return act(dict(form.cleaned_data))
        except ValidationError as exc:
            add_refusal(form, exc)
    return invalid(request, template, context)
