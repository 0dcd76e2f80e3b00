"""A PI (or an operator) creates a project; its creator becomes its principal investigator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.projects import services
from mesocentre.projects.forms import ProjectForm
from mesocentre.projects.views.common import form_page


@login_required
def project_create(request):
    if not services.may_create_projects(request.user):
        raise PermissionDenied
    laboratories = services.laboratories_for_new_projects(request.user).order_by("code")
    payers = services.payers_for_new_projects(request.user)
    form = ProjectForm(
        request.POST or None, laboratories=laboratories, payers=payers, initial={"starts_on": timezone.localdate()}
    )
    context = {"form": form, "has_laboratories": laboratories.exists()}

    def create(data):
        project = services.create_project(request.user, **data)
        messages.success(
            request, _("Project %(code)s created: you are its principal investigator.") % {"code": project.code}
        )
        return redirect("projects:project_detail", code=project.code)

    return form_page(request, "projects/project_form.html", context, create)
