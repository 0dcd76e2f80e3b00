"""A project's own pages: the list, the page, its members, its closing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table
from mesocentre.projects import registry, services
from mesocentre.projects.filtersets import ProjectFilterSet, ProjectMembershipFilterSet
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.projects.tables import ProjectMembershipTable, ProjectTable
from mesocentre.projects.views.common import refusal
from mesocentre.tenancy.charter_models import CharterVersion
from mesocentre.tenancy.clusters import slurm_exclusion_reason
from mesocentre.tenancy.forms import InviteForm
from mesocentre.tenancy.views import invite_from


@login_required
def project_list(request):
    """The projects the user may see, filtered as the API's list is (``ProjectFilterSet``), a page at a time."""
    projects = Project.objects.visible_to(request.user).select_related("laboratory", "paying_establishment", "theme")
    listed = filtered_table(request, ProjectFilterSet, projects, ProjectTable)
    context = {
        **listed.context(),
        "title": _("Projects"),
        "leaderless": request.GET.get("leaderless") == "true",
        "sections": registry.sections(registry.Where.LIST, request),
        "may_create": services.may_create_projects(request.user),
    }
    return render(request, "projects/project_list.html", context, status=listed.status)


@login_required
def member_list(request):
    """Operators: who takes part in which project, with what role, filtered as the API's list of memberships is
    (``ProjectMembershipFilterSet``)."""
    if not is_operator(request.user):
        raise PermissionDenied
    memberships = ProjectMembership.objects.visible_to(request.user).select_related("user", "project")
    listed = filtered_table(request, ProjectMembershipFilterSet, memberships, ProjectMembershipTable)
    context = {**listed.context(), "title": _("Members of the projects")}
    return render(request, "core/table_list.html", context, status=listed.status)


@login_required
def project_detail(request, code: str):
    # Its members read once, with their users; what hangs from the project (HPC hours…) is the apps' sections.
    projects = Project.objects.visible_to(request.user).select_related("laboratory", "paying_establishment", "theme")
    members_with_users = Prefetch("memberships", queryset=ProjectMembership.objects.select_related("user"))
    project = get_object_or_404(projects.prefetch_related(members_with_users), code=code)
    # As ``Project.objects.managed_by``, read from the members already loaded: operators, and its PIs and managers.
    leads = (ProjectMembership.Role.PI, ProjectMembership.Role.MANAGER)
    can_manage = is_operator(request.user) or any(
        m.user_id == request.user.pk and m.role in leads for m in project.memberships.all()
    )
    form = InviteForm(request.POST or None, roles=ProjectMembership.Role.choices) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if invite_from(request, form, project):
            return redirect("projects:project_detail", code=code)
    status = 400 if form and form.errors else 200
    memberships = project.memberships.all()
    # The version in force only names what a member has not accepted yet: not read when all have.
    missing = any(m.user.charter_accepted_at is None for m in memberships)
    charter_version = CharterVersion.objects.in_force() if missing else None
    members = [(m, slurm_exclusion_reason(m.user, charter_version)) for m in memberships]
    context = {
        "project": project,
        "members": members,
        "can_manage": can_manage,
        "form": form,
        "invitations": project.invitations.pending() if can_manage else [],
        "operator": is_operator(request.user),
        "grants": project.grants.all(),
        "publications": project.publications.all(),
        "sections": registry.sections(registry.Where.PAGE, request, project, can_manage),
    }
    return render(request, "projects/project_detail.html", context, status=status)


@login_required
@require_POST
def member_remove(request, pk: int):
    membership = get_object_or_404(ProjectMembership.objects.visible_to(request.user), pk=pk)
    code = membership.project.code
    try:
        services.remove_member(request.user, membership)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return redirect("projects:project_detail", code=code)
    messages.success(request, _("Member removed."))
    return redirect("projects:project_detail", code=code)


@login_required
@require_POST
def project_close(request, code: str):
    project = get_object_or_404(Project.objects.visible_to(request.user), code=code)
    try:
        services.close_project(request.user, project)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("The project is closed; its allocations have expired."))
    return redirect("projects:project_detail", code=code)
