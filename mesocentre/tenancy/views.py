from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table
from mesocentre.tenancy import invitations, services
from mesocentre.tenancy.filtersets import (
    EstablishmentFilterSet,
    MembershipFilterSet,
    PersonFilterSet,
    TeamFilterSet,
    invitation_filterset,
)
from mesocentre.tenancy.forms import EmailChangeForm, InviteForm, SignUpForm
from mesocentre.tenancy.invitation_models import invitation_kinds
from mesocentre.tenancy.models import ApiToken, Establishment, Membership, Team, User
from mesocentre.tenancy.tables import EstablishmentTable, MembershipTable, PersonTable, invitation_table, with_counts
from mesocentre.tenancy.team_tables import TeamTable, with_members


@login_required
def establishment_list(request):
    """The establishments one belongs to (all of them for operators), filtered as the API's list is."""
    establishments = with_counts(Establishment.objects.visible_to(request.user))
    # Only operators see every member: the others' count would tell what their page does not show.
    hidden = () if is_operator(request.user) else ("members_count",)
    listed = filtered_table(request, EstablishmentFilterSet, establishments, EstablishmentTable, exclude=hidden)
    context = {**listed.context(), "title": _("Establishments")}
    return render(request, "tenancy/establishment_list.html", context, status=listed.status)


@login_required
def person_list(request):
    """Everyone with an account, for operators: who belongs where, who accepted the charter, who is active."""
    if not is_operator(request.user):
        raise PermissionDenied
    people = User.objects.visible_to(request.user).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("establishment").order_by("establishment"))
    )
    listed = filtered_table(request, PersonFilterSet, people, PersonTable)
    context = {**listed.context(), "title": _("People")}
    return render(request, "tenancy/person_list.html", context, status=listed.status)


@login_required
def team_list(request):
    """The operations teams and their members, for operators."""
    if not is_operator(request.user):
        raise PermissionDenied
    listed = filtered_table(request, TeamFilterSet, with_members(Team.objects.visible_to(request.user)), TeamTable)
    context = {**listed.context(), "title": _("Operations teams")}
    return render(request, "tenancy/team_list.html", context, status=listed.status)


@login_required
def establishment_detail(request, code: str):
    establishment = get_object_or_404(Establishment.objects.visible_to(request.user), code=code)
    can_manage = Establishment.objects.managed_by(request.user).filter(pk=establishment.pk).exists()
    form = InviteForm(request.POST or None, roles=Membership.Role.choices) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if invite_from(request, form, establishment):
            return redirect("tenancy:establishment_detail", code=code)
    memberships = (
        Membership.objects.visible_to(request.user)
        .filter(establishment=establishment)
        .select_related("user", "laboratory")
    )
    members = filtered_table(request, MembershipFilterSet, memberships, MembershipTable,
                             exclude=() if can_manage else ("remove",))  # fmt: skip
    if members.table is not None:
        members.table.caption = _("Members of %(establishment)s") % {"establishment": establishment}
    context = {
        "establishment": establishment,
        "members": members,
        "can_manage": can_manage,
        "form": form,
        "invitations": establishment.invitations.pending() if can_manage else [],
        "laboratories": establishment.laboratories.all(),
    }
    status = 400 if (form and form.errors) or members.status == 400 else 200
    return render(request, "tenancy/establishment_detail.html", context, status=status)


def invite_from(request, form, target, **fields) -> bool:
    """The invite form of a page (an establishment's, a project's): True once the invitation is recorded."""
    if not form.is_valid():
        return False
    try:
        invitations.invite(request.user, target, form.cleaned_data["to"], invitation_link(request),
                           role=form.cleaned_data["role"], **fields)  # fmt: skip
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error("to", message)
        return False
    # The same words whoever it is, or whether anyone is: the page must not tell who has an account.
    messages.success(
        request, _("Invitation recorded for %(to)s: they join once they accept.") % {"to": form.cleaned_data["to"]}
    )
    return True


def invitation_link(request):
    return lambda token: request.build_absolute_uri(reverse("tenancy:invitation_open", args=[token]))


@login_required
def invitation_list(request):
    """The invitations waiting for the user's answer: a table for each kind (an establishment's, a project's…),
    each filtered, sorted and paged by its own parameters (``establishment-page``…)."""
    kinds = []
    for kind, model in sorted(invitation_kinds().items()):
        pending = model.objects.addressed_to(request.user).pending().select_related(model.target_field, "invited_by")
        listed = filtered_table(request, invitation_filterset(model), pending, invitation_table(model),
                                prefix=f"{kind}-")  # fmt: skip
        targets = model._meta.get_field(model.target_field).related_model._meta.verbose_name_plural
        caption = _("Invitations to %(targets)s") % {"targets": targets}
        if listed.table is not None:
            listed.table.caption = caption
            if not listed.table.paginator.count and not any(key.startswith(f"{kind}-") for key in request.GET):
                continue  # a kind with nothing waiting says nothing, unless its filters left nothing
        kinds.append({**listed.context(), "caption": caption, "status": listed.status})
    status = 400 if any(listed["status"] == 400 for listed in kinds) else 200
    return render(request, "tenancy/invitation_list.html", {"kinds": kinds}, status=status)


@login_required
@require_POST
def invitation_answer(request, kind: str, pk: int, answer: str):
    if answer not in ("accept", "decline"):
        raise Http404
    invitation = _invitation(kind, pk, request.user)
    try:
        invitations.answer(request.user, invitation, accept=answer == "accept")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation accepted.") if answer == "accept" else _("Invitation declined."))
    return redirect("tenancy:invitation_list")


@login_required
@require_POST
def invitation_revoke(request, kind: str, pk: int):
    invitation = _invitation(kind, pk, request.user)
    try:
        invitations.revoke(request.user, invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect(request.POST.get("next") if url_has_allowed_host_and_scheme(request.POST.get("next"), None)
                    else "tenancy:invitation_list")  # fmt: skip


def invitation_open(request, token: str):
    """The e-mail's link: accept or decline when signed in; otherwise sign in, or create an account from it."""
    invitation = invitations.by_token(token)
    usable = invitation is not None and invitation.status == "pending" and not invitation.is_expired
    form = SignUpForm(request.POST if request.POST.get("action") == "sign-up" else None)
    errors = []
    if request.method == "POST" and usable:
        action = request.POST.get("action")
        try:
            if action == "sign-up":
                if form.is_valid():
                    user = invitations.sign_up(token, **form.cleaned_data)
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    messages.success(request, _("Welcome: your account is ready and you have joined."))
                    return redirect("portal:home")
            elif action in ("accept", "decline"):
                invitations.answer(request.user, invitation, accept=action == "accept", with_token=True)
                messages.success(
                    request, _("Invitation accepted.") if action == "accept" else _("Invitation declined.")
                )
                return redirect("portal:home")
        except ValidationError as exc:
            if form.is_bound:
                form.add_error(None, exc)
            else:
                errors = exc.messages
        except PermissionDenied as exc:
            errors = [str(exc)]
    context = {"invitation": invitation if usable else None, "form": form, "token": token, "errors": errors,
               "oidc": "mozilla_django_oidc" in settings.INSTALLED_APPS}  # fmt: skip
    # An unusable link gets the same page whatever the reason (answered, revoked, expired, or never issued).
    return render(request, "tenancy/invitation_open.html", context)


def _invitation(kind: str, pk: int, user):
    model = invitation_kinds().get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model.objects.visible_to(user), pk=pk)


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
