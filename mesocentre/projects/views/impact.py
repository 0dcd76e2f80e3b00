"""A project's proof of impact: its PI and managers record and delete publications and grants."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.projects import impact
from mesocentre.projects.forms import GrantForm, PublicationForm
from mesocentre.projects.models import Grant, Project, Publication
from mesocentre.projects.views.common import form_page, refusal


def _create(request, code: str, form_class, add, title: str, done: str):
    project = get_object_or_404(Project.objects.managed_by(request.user), code=code)
    context = {"project": project, "form": form_class(request.POST or None), "title": title}

    def act(data):
        add(request.user, project, **data)
        messages.success(request, done)
        return redirect("projects:project_detail", code=code)

    return form_page(request, "projects/impact_form.html", context, act)


@login_required
def publication_create(request, code: str):
    return _create(
        request, code, PublicationForm, impact.add_publication, _("Record a publication"), _("Publication recorded.")
    )


@login_required
def grant_create(request, code: str):
    return _create(request, code, GrantForm, impact.add_grant, _("Record a grant"), _("Grant recorded."))


def _delete(request, queryset, pk: int, remove, done: str):
    item = get_object_or_404(queryset.visible_to(request.user).select_related("project"), pk=pk)
    try:
        remove(request.user, item)  # PermissionDenied (403) for anyone but the project's PI and managers
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, done)
    return redirect("projects:project_detail", code=item.project.code)


@login_required
@require_POST
def publication_delete(request, pk: int):
    return _delete(request, Publication.objects, pk, impact.delete_publication, _("Publication deleted."))


@login_required
@require_POST
def grant_delete(request, pk: int):
    return _delete(request, Grant.objects, pk, impact.delete_grant, _("Grant deleted."))
