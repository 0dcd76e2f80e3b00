from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from mesocentre.audit.changes import Reader
from mesocentre.audit.filtersets import AuditEntryFilterSet
from mesocentre.audit.models import AuditEntry
from mesocentre.core.roles import is_operator


@login_required
def entry_list(request):
    """The log, newest first, filtered by who, what and when; each entry's changes field by field."""
    if not is_operator(request.user):
        raise PermissionDenied
    filterset = AuditEntryFilterSet(request.GET or None, queryset=AuditEntry.objects.visible_to(request.user))
    if filterset.is_bound and not filterset.is_valid():
        # The form says what is wrong; no entries rather than a guess at what was meant.
        return render(request, "audit/entry_list.html", {"filter": filterset, "rows": []}, status=400)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    reader = Reader(page)
    rows = [(entry, reader.action(entry), reader.changes(entry)) for entry in page]
    return render(request, "audit/entry_list.html", {"filter": filterset, "page": page, "rows": rows})
