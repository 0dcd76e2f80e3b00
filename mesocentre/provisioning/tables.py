"""The operation queue and the manual tasks in the portal (their rows come from ``filtersets``, shared with the
API)."""

import django_tables2 as tables
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import moment
from mesocentre.core.tables import BaseTable
from mesocentre.provisioning.models import ManualTask, Operation


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


class ManualTaskTable(BaseTable):
    caption = _("Manual tasks, newest first")
    title = tables.LinkColumn("provisioning:task_detail", args=[tables.A("pk")], verbose_name=_("Task"))
    operation = tables.LinkColumn(
        "provisioning:operation_detail",
        args=[tables.A("operation_id")],
        text=lambda task: f"#{task.operation_id}",
        verbose_name=_("Operation"),
    )
    resource = tables.Column(
        accessor="operation__resource",
        order_by=("operation__resource_type", "operation__resource_key"),
        verbose_name=_("Resource"),
    )
    # What to do, read from the operation's target (selected with the task: no query per row).
    summary = tables.Column(empty_values=(), orderable=False, verbose_name=_("What to do"))
    status = tables.Column(verbose_name=_("Status"))
    # Rows made in one go share their creation time: the id breaks the tie, the same both ways.
    created = tables.Column(order_by=("created", "id"), verbose_name=_("Created"))
    completed_by = tables.Column(order_by=("completed_by__username",), verbose_name=_("Completed by"), default="—")

    class Meta(BaseTable.Meta):
        model = ManualTask
        fields = ()
        order_by = ("-created",)
        empty_text = _("No task matches.")

    def render_status(self, record) -> str:
        return record.get_status_display()

    def render_summary(self, record) -> str:
        return truncatechars(record.instructions.summary, 160)

    def render_created(self, value) -> str:
        return moment(value)
