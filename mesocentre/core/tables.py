"""The portal's lists: a django-tables2 table fed by the same django-filter FilterSet as the API's list.

One filter definition serves the page and the API, so a list filtered in the portal and the same query string sent to
the API give the same rows. The page adds what a person needs and a script does not: a search box (``q``), sortable
column headers, and pages of ``per_page`` rows (25 unless asked, never more than ``MAX_PER_PAGE``).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

import django_filters
import django_tables2 as tables
import django_tables2.utils
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from mesocentre.core.forms import quick_selects

PER_PAGE = 25
MAX_PER_PAGE = 100

# django-tables2 asks inspect.signature() which arguments a render method takes at every cell of every page
# (django_tables2.utils.signature, through call_with_appropriate): a third of the rendering of a 25-row table. A
# function's signature does not change: it is read once, and once for all the objects a method is bound to.
_uncached_signature = django_tables2.utils.signature
_signatures: dict = {}


def _signature(fn) -> tuple[tuple[str, ...], str | None]:
    function = getattr(fn, "__func__", fn)
    key = (function, function is not fn)
    try:
        return _signatures[key]
    except KeyError:
        if len(_signatures) > 4096:  # functions made on the fly would otherwise pile up
            _signatures.clear()
        found = _signatures[key] = _uncached_signature(fn)
        return found
    except TypeError:  # an unhashable callable: asked every time, as django-tables2 does
        return _uncached_signature(fn)


django_tables2.utils.signature = _signature


def per_page_of(request: HttpRequest, field: str = "per_page") -> int:
    """The ``per_page`` asked for, bounded: a page of 10 000 rows is what pagination is there to prevent. Anything
    that is not a positive number gives the default rather than an error: it is a preference, not a filter."""
    try:
        asked = int(request.GET.get(field, PER_PAGE))
    except ValueError:
        return PER_PAGE
    return min(asked, MAX_PER_PAGE) if asked > 0 else PER_PAGE


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a search box: ``q`` finds the rows whose ``search_fields`` contain it (any of them)."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": value}) for field in self.search_fields)))


class BaseTable(tables.Table):
    """The portal's table: rendered by ``core/table.html`` (a caption, ``<th scope="col">``, ``aria-sort``)."""

    caption: str = ""

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "list-table"}
        empty_text = _("Nothing matches these filters.")


def scope_related_filters(filterset: django_filters.FilterSet, user) -> None:
    """Filters on a related model offer and accept only what ``user`` may see (its ``visible_to``): django-filter
    would offer the related model's whole table. The API's filter backend and the pages both scope this way."""
    for filter_ in filterset.filters.values():
        related = getattr(filter_, "queryset", None)  # the choice filters' (QuerySetRequestMixin)
        if hasattr(related, "visible_to"):
            filter_.queryset = related.visible_to(user)


@dataclass
class TableList:
    """What a list page renders: the filters (with their errors) and the table, or no table if they are invalid."""

    filter: django_filters.FilterSet
    table: BaseTable | None
    status: int

    def context(self) -> dict:
        return {"filter": self.filter, "table": self.table}


def filtered_table(
    request: HttpRequest,
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet,
    table_class: type[BaseTable],
    data: QueryDict | None = None,
    **table_kwargs,
) -> TableList:
    """Filter ``queryset`` by the request's query string, then sort and paginate it into a ``table_class``.

    Invalid filters give no table and a 400: the form says which field is wrong, rather than a list that silently
    ignores the filter and looks like an answer. ``queryset`` is already scoped to what the user may see. ``data``
    replaces the query string as the filters' input (a page with a default filter); a table with a ``prefix``
    filters, sorts and pages by its own parameters, so that two tables of a page page on their own.
    """
    # A table with a prefix ("establishment-") has filters of the same prefix ("establishment-q").
    prefix = table_kwargs.get("prefix", "").rstrip("-") or None
    filterset = filterset_class(
        request.GET if data is None else data, queryset=queryset, request=request, prefix=prefix
    )
    scope_related_filters(filterset, request.user)
    valid = filterset.is_valid()
    quick_selects(filterset.form)  # after scoping: the options offered are what the user may see
    if not valid:
        return TableList(filterset, None, 400)
    table = table_class(filterset.qs, **table_kwargs)
    # RequestConfig sorts (``sort``); it would also take ``per_page`` unbounded, so the page is cut here.
    tables.RequestConfig(request, paginate=False).configure(table)
    paginate(table, request)
    return TableList(filterset, table, 200)


def paginate(table: BaseTable, request: HttpRequest) -> None:
    """A page number past the end shows the last page, one that is not a number the first: links get stale."""
    per_page = per_page_of(request, table.prefixed_per_page_field)
    try:
        table.paginate(per_page=per_page, page=int(request.GET.get(table.prefixed_page_field, 1)))
    except (ValueError, PageNotAnInteger):
        table.paginate(per_page=per_page, page=1)
    except EmptyPage:
        table.paginate(per_page=per_page, page=table.paginator.num_pages)
