"""The audit log in the portal (its rows come from ``filtersets``, shared with the API), each entry's changes field
by field as ``changes.Reader`` reads them for the whole page at once."""

from functools import cached_property

import django_tables2 as tables
from django.db.models.functions import Length
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from mesocentre.audit.changes import EMPTY, Change, Reader
from mesocentre.audit.models import AuditEntry
from mesocentre.core.formatting import moment
from mesocentre.core.tables import BaseTable


def change_html(change: Change) -> str:
    if change.before is not None and change.after is not None:
        return format_html(
            '<li><span class="field">{}</span>: <span class="before">{}</span> <span aria-hidden="true">→</span>'
            '<span class="visually-hidden">{}</span> {}</li>',
            change.field,
            change.before,
            _("becomes"),
            change.after,
        )
    return format_html(
        '<li><span class="field">{}</span>: {}</li>',
        change.field,
        change.before if change.after is None else change.after,
    )


class AuditEntryTable(BaseTable):
    caption = _("Audit log, newest first")
    # Entries written in one transaction share their time: the id keeps them in the order they were written.
    time = tables.Column(order_by=("time", "id"), verbose_name=_("Time"))
    actor = tables.Column(verbose_name=_("Who"))
    action = tables.Column(verbose_name=_("Action"))
    object = tables.Column(accessor="object_repr", verbose_name=_("Object"))
    changes = tables.Column(empty_values=(), orderable=False, verbose_name=_("Changes"))

    class Meta(BaseTable.Meta):
        model = AuditEntry
        fields = ()
        order_by = ("-time",)
        empty_text = _("No entry matches these filters.")

    @cached_property
    def reader(self) -> Reader:
        """The links of the page's entries, read at once when the first row is drawn: a query per model they point
        to, not per row (the table is paginated by then)."""
        return Reader(row.record for row in self.page.object_list)

    def order_object(self, queryset, is_descending: bool):
        """By type, then id as a number: ids are text (any model's key), so "10" would come before "9"; a shorter
        id of digits is a smaller number. The entries of one object in the order they were written."""
        order = ("object_type", "object_id_length", "object_id", "id")
        ordered = queryset.annotate(object_id_length=Length("object_id"))
        return ordered.order_by(*(f"-{name}" if is_descending else name for name in order)), True

    def render_time(self, value) -> str:
        return moment(value)

    def render_action(self, record) -> str:
        return self.reader.action(record)

    def render_object(self, record) -> str:
        return format_html("{} #{}<br>{}", record.object_type, record.object_id, record.object_repr)

    def render_changes(self, record) -> str:
        changes = self.reader.changes(record)
        if not changes:
            return EMPTY
        return format_html(
            '<ul class="audit-changes">{}</ul>', format_html_join("", "{}", ((change_html(c),) for c in changes))
        )
