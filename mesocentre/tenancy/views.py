from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.tenancy import services
from mesocentre.tenancy.forms import AddMemberForm, EmailChangeForm
from mesocentre.tenancy.models import ApiToken, Establishment, Membership


@login_required
def establishment_list(request):
    establishments = Establishment.objects.visible_to(request.user)
    return render(request, "tenancy/establishment_list.html", {"establishments": establishments})


@login_required
def establishment_detail(request, code: str):
    establishment = get_object_or_404(Establishment.objects.visible_to(request.user), code=code)
    can_manage = Establishment.objects.managed_by(request.user).filter(pk=establishment.pk).exists()
    form = AddMemberForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            services.add_member(request.user, establishment, form.cleaned_data["username"], form.cleaned_data["role"])
            messages.success(request, _("Member added."))
            return redirect("tenancy:establishment_detail", code=code)
    memberships = (
        Membership.objects.visible_to(request.user)
        .filter(establishment=establishment)
        .select_related("user", "laboratory")
    )
    context = {
        "establishment": establishment,
        "memberships": memberships,
        "can_manage": can_manage,
        "form": form,
        "laboratories": establishment.laboratories.all(),
    }
    return render(request, "tenancy/establishment_detail.html", context)


@login_required
@require_POST
def membership_delete(request, pk: int):
    membership = get_object_or_404(Membership.objects.visible_to(request.user), pk=pk)
    try:
        services.remove_member(request.user, membership)
        messages.success(request, _("Member removed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tenancy:establishment_detail", code=membership.establishment.code)


@login_required
def account(request):
    new_key = None
    if request.method == "POST":
        # The key exists in clear only in this response: the database keeps its digest.
        new_key = services.rotate_token(request.user)
        messages.success(request, _("A new API token was created; the previous one no longer works."))
    memberships = Membership.objects.filter(user=request.user).select_related("establishment", "laboratory")
    context = {
        "new_key": new_key,
        "tokens": ApiToken.objects.filter(user=request.user),
        "memberships": memberships,
    }
    response = render(request, "tenancy/account.html", context)
    if new_key:
        response["Cache-Control"] = "no-store"  # nor in a cache: the key is shown once
    return response


@login_required
@require_POST
def email_change(request):
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        services.request_email_change(request.user, form.cleaned_data["email"], _confirm_url(request))
        messages.success(request, _("A confirmation link was sent to the new address: it takes effect once followed."))
    else:
        messages.error(request, " ".join(form.errors["email"]))
    return redirect("tenancy:account")


def email_confirm(request, token: str):
    """The link of the confirmation e-mail: a page with a button (mail scanners follow links, not buttons)."""
    if request.method == "POST":
        try:
            user = services.confirm_email_change(token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": user.email})
            return redirect("tenancy:account" if request.user.is_authenticated else "login")
    return render(request, "tenancy/email_confirm.html", {"token": token})


def _confirm_url(request):
    return lambda token: request.build_absolute_uri(reverse("tenancy:email_confirm", args=[token]))
