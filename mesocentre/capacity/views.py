from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from mesocentre.capacity.filtersets import PodFilterSet
from mesocentre.capacity.models import Pod
from mesocentre.capacity.tables import PodTable, with_racks
from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table


@login_required
def pod_list(request):
    """The PODs of physical hosting with their racks, U and power budget: operators only (infrastructure)."""
    if not is_operator(request.user):
        raise PermissionDenied
    pods = with_racks(Pod.objects.visible_to(request.user).select_related("site"))
    listed = filtered_table(request, PodFilterSet, pods, PodTable)
    context = {**listed.context(), "title": _("PODs and racks")}
    return render(request, "capacity/pod_list.html", context, status=listed.status)
