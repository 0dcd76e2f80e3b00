"""The HPC pages' addresses before they left ``/projects/`` (release 2026.12): links in e-mails already sent and
bookmarks still lead there. Each answers a permanent redirect to the page's new address, a 308 so that a form posted
from a page loaded before the move still posts (same method, same body). Remove in the next release."""

from django.http import HttpResponseRedirect
from django.urls import path, reverse


class HttpResponsePermanentRedirectSameMethod(HttpResponseRedirect):
    status_code = 308


def _moved(name: str):
    def redirect(request, **kwargs):
        target = reverse(f"hpc:{name}", kwargs=kwargs)
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirectSameMethod(f"{target}?{query}" if query else target)

    return redirect


OLD_PATHS = {
    "calls/": "call_list",
    "calls/new/": "call_create",
    "calls/<slug:code>/": "call_detail",
    "calls/<slug:code>/rounds/new/": "round_create",
    "rounds/<int:pk>/": "round_detail",
    "rounds/<int:pk>/close/": "round_close",
    "rounds/<int:pk>/budgets/": "round_budget_create",
    "budgets/<int:pk>/delete/": "round_budget_delete",
    "assignments/": "assignment_list",
    "assignments/<int:pk>/review/": "review_form",
    "requests/<int:pk>/decide/": "decide",
    "requests/<int:pk>/edit/": "request_edit",
    "requests/<int:pk>/withdraw/": "request_withdraw",
    "allocations/": "allocation_list",
    "allocations/<int:pk>/change/": "change_request_create",
    "allocations/<int:pk>/status/": "allocation_status",
    "change-requests/": "change_request_list",
    "change-requests/<int:pk>/decide/": "change_request_decide",
    "<slug:code>/request/": "request_create",
}

app_name = "hpc-legacy"
urlpatterns = [path(old, _moved(name), name=name) for old, name in OLD_PATHS.items()]
