"""The usage charter's pages: members read and accept the version in force; operators publish a new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mesocentre.core.forms import add_refusal
from mesocentre.core.roles import is_operator
from mesocentre.tenancy import charter
from mesocentre.tenancy.charter_models import CharterAcceptance, CharterVersion
from mesocentre.tenancy.forms import CharterVersionForm


def _safe_next(request) -> str | None:
    """``?next=`` (or the form's ``next``) when it is a local URL of this site; None otherwise."""
    target = request.POST.get("next") or request.GET.get("next")
    # A path of this site only: "abc" would pass the host check, and redirect() would take it for a URL name.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


@login_required
def charter_page(request):
    version = charter.in_force_for(request.user)
    if request.method == "POST":
        if version is None:
            return render(request, "tenancy/charter.html", {"version": None}, status=400)
        if request.POST.get("version") != str(version.pk):
            # The version read is not the one in force any more (a new one came meanwhile): read it first.
            messages.error(request, _("A new version of the charter is in force: read it before you accept it."))
            return render(request, "tenancy/charter.html", _context(request, version), status=400)
        charter.accept(request.user, version)
        messages.success(request, _("You accepted the usage charter: the clusters know you from now."))
        next_url = _safe_next(request)
        return HttpResponseRedirect(next_url) if next_url else redirect("tenancy:charter")
    return render(request, "tenancy/charter.html", _context(request, version))


def _context(request, version) -> dict:
    acceptance = (
        CharterAcceptance.objects.filter(user=request.user, version=version).first() if version is not None else None
    )
    return {
        "version": version,
        "acceptance": acceptance,
        "next": _safe_next(request) or "",
        "can_publish": is_operator(request.user),
    }


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
            add_refusal(form, exc)
        else:
            messages.success(
                request, _("Version %(number)s of the usage charter is published.") % {"number": version.number}
            )
            return redirect("tenancy:charter")
    status = 400 if form.errors else 200
    return render(request, "tenancy/charter_form.html", context, status=status)
