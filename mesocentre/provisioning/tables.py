"""The operation queue in the portal (its rows come from ``filtersets``, shared with the API)."""

import django_tables2 as tables
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import moment
from mesocentre.core.tables import BaseTable
from mesocentre.provisioning.models import Operation


class OperationTable(BaseTable):
    caption = _("Operations, newest first")
    id = tables.LinkColumn("provisioning:operation_detail", args=[tables.A("pk")], text=lambda o: f"#{o.pk}")
    backend = tables.Column(verbose_name=_("Backend"))
    resource = tables.Column(
        accessor="resource", order_by=("resource_type", "resource_key"), verbose_name=_("Resource")
    )
    state = tables.Column(verbose_name=_("State"))
    attempts = tables.Column(verbose_name=_("Attempts"))
    next_attempt_at = tables.Column(verbose_name=_("Next attempt"))
    last_error = tables.Column(verbose_name=_("Last error"), orderable=False, default="")
    last_updated = tables.Column(verbose_name=_("Updated"))

    class Meta(BaseTable.Meta):
        model = Operation
        fields = ()
        order_by = ("-id",)
        empty_text = _("No operation matches.")

    def render_state(self, record) -> str:
        return record.get_state_display()

    def render_attempts(self, record) -> str:
        return f"{record.attempts} / {record.max_attempts}"

    def render_next_attempt_at(self, record, value) -> str:
        # Only a pending operation waits for a next attempt.
        return moment(value) if record.state == Operation.State.PENDING else "—"

    def render_last_error(self, value) -> str:
        return format_html("<code>{}</code>", truncatechars(value, 160))

    def render_last_updated(self, value) -> str:
        return moment(value)
