"""Links of a list table that keep the page's query string, with the table's own parameters (its ``prefix``)."""

from django import template
from django.http import HttpRequest

register = template.Library()


def _query(request: HttpRequest, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def table_page_url(context, table, number: int) -> str:
    """Page ``number`` of ``table``: the filters stay, the other tables of the page stay on their pages."""
    return _query(context["request"], **{table.prefixed_page_field: number})


@register.simple_tag(takes_context=True)
def table_sort_url(context, table, column) -> str:
    """``table`` sorted by ``column`` the other way, from its first page."""
    return _query(
        context["request"],
        **{table.prefixed_order_by_field: column.order_by_alias.next, table.prefixed_page_field: None},
    )
