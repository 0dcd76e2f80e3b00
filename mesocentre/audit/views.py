from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from mesocentre.audit.models import AuditEntry
from mesocentre.core.roles import is_operator


@login_required
def entry_list(request):
    if not is_operator(request.user):
        raise PermissionDenied
    entries = AuditEntry.objects.visible_to(request.user)
    if request.GET.get("object_type"):
        entries = entries.filter(object_type=request.GET["object_type"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/entry_list.html", {"page": page})
