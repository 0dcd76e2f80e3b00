from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from mesocentre.audit.filtersets import AuditEntryFilterSet
from mesocentre.audit.models import AuditEntry
from mesocentre.audit.tables import AuditEntryTable
from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table


@login_required
def entry_list(request):
    """The log, newest first, filtered by who, what and when; each entry's changes field by field."""
    if not is_operator(request.user):
        raise PermissionDenied
    listed = filtered_table(request, AuditEntryFilterSet, AuditEntry.objects.visible_to(request.user), AuditEntryTable)
    context = {**listed.context(), "title": _("Audit log")}
    return render(request, "audit/entry_list.html", context, status=listed.status)
