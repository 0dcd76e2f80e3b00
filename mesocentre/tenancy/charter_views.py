"""The usage charter's pages: members read and accept the version in force; operators publish a new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mesocentre.core.roles import is_operator
from mesocentre.tenancy import charter
from mesocentre.tenancy.charter_models import CharterAcceptance, CharterVersion
from mesocentre.tenancy.forms import CharterVersionForm


def _safe_next(request) -> str | None:
    """``?next=`` (or the form's ``next``) when it is a local URL of this site; None otherwise."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
def charter_page(request):
    version = charter.in_force_for(request.user)
    if request.method == "POST":
        if version is None:
            return render(request, "tenancy/charter.html", {"version": None}, status=400)
        charter.accept(request.user, version)
        messages.success(request, _("You accepted the usage charter: the clusters know you from now."))
        return redirect(_safe_next(request) or "tenancy:charter")
    acceptance = (
        CharterAcceptance.objects.filter(user=request.user, version=version).first() if version is not None else None
    )
    context = {
        "version": version,
        "acceptance": acceptance,
        "next": _safe_next(request) or "",
        "can_publish": is_operator(request.user),
    }
    return render(request, "tenancy/charter.html", context)


@login_required
def charter_create(request):
    if not is_operator(request.user):
        raise PermissionDenied
    form = CharterVersionForm(request.POST or None)
    context = {"form": form, "current": CharterVersion.objects.in_force()}
    if request.method == "POST" and form.is_valid():
        try:
            version = charter.publish(request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Version %(number)s of the usage charter is published.") % {"number": version.number}
            )
            return redirect("tenancy:charter")
    status = 400 if form.errors else 200
    return render(request, "tenancy/charter_form.html", context, status=status)
