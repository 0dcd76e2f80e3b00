"""The HPC lists in the portal (the rows come from ``filtersets``, shared with the API)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import day, moment, number
from mesocentre.core.tables import BaseTable
from mesocentre.hpc.models import Allocation, AllocationRequest, ChangeRequest


class AllocationTable(BaseTable):
    """Every cluster's allocations with what was consumed. Metering counts by Slurm account, which is the project's
    on each cluster: ``consumed`` maps (cluster, project code) to (core-hours, GPU hours), read for the whole page
    at once, and two allocations of a project on one cluster show the same figure."""

    project = tables.LinkColumn(
        "projects:project_detail", args=[tables.A("project__code")], accessor="project__code", verbose_name=_("Project")
    )
    cluster = tables.Column(verbose_name=_("Cluster"))
    cpu_core_hours = tables.Column(verbose_name=_("Granted core-hours"))
    consumed_cpu = tables.Column(empty_values=(), orderable=False, verbose_name=_("Consumed core-hours"))
    gpu_hours = tables.Column(verbose_name=_("Granted GPU hours"))
    consumed_gpu = tables.Column(empty_values=(), orderable=False, verbose_name=_("Consumed GPU hours"))
    starts_on = tables.Column(verbose_name=_("Start date"))
    ends_on = tables.Column(verbose_name=_("End date"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta(BaseTable.Meta):
        model = Allocation
        fields = ()
        order_by = ("project",)
        empty_text = _("No allocation matches these filters.")

    def __init__(self, *args, consumed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consumed = consumed or {}

    def render_cpu_core_hours(self, value) -> str:
        return number(value)

    def render_gpu_hours(self, value) -> str:
        return number(value)

    def render_consumed_cpu(self, record) -> str:
        return number(self.consumed.get((record.cluster, record.project.code), (0, 0))[0], 0)

    def render_consumed_gpu(self, record) -> str:
        return number(self.consumed.get((record.cluster, record.project.code), (0, 0))[1], 0)

    def render_starts_on(self, value) -> str:
        return day(value)

    def render_status(self, record) -> str:
        return record.get_status_display()

    def render_ends_on(self, value) -> str:
        return day(value)


class AllocationRequestTable(BaseTable):
    """Every request for hours, in every round: the operators' list (a round's page decides them)."""

    project = tables.LinkColumn(
        "projects:project_detail", args=[tables.A("project__code")], accessor="project__code", verbose_name=_("Project")
    )
    round = tables.LinkColumn(
        "hpc:round_detail", args=[tables.A("round_id")], accessor="round__name", verbose_name=_("Round")
    )
    cpu_core_hours = tables.Column(verbose_name=_("Core-hours asked"))
    gpu_hours = tables.Column(verbose_name=_("GPU hours asked"))
    status = tables.Column(verbose_name=_("Status"))
    submitted_at = tables.Column(verbose_name=_("Submitted"), default="—")

    class Meta(BaseTable.Meta):
        model = AllocationRequest
        fields = ()
        order_by = ("-submitted_at",)
        empty_text = _("No request matches these filters.")

    def render_round(self, record) -> str:
        return str(record.round)

    def render_cpu_core_hours(self, value) -> str:
        return number(value)

    def render_gpu_hours(self, value) -> str:
        return number(value)

    def render_status(self, record) -> str:
        return record.get_status_display()

    def render_submitted_at(self, value) -> str:
        return moment(value)


class ChangeRequestTable(BaseTable):
    """The change requests, pending or decided; a pending one is decided from its row."""

    project = tables.LinkColumn(
        "projects:project_detail",
        args=[tables.A("allocation__project__code")],
        accessor="allocation__project__code",
        verbose_name=_("Project"),
    )
    cluster = tables.Column(accessor="allocation__cluster", verbose_name=_("Cluster"))
    change_type = tables.Column(verbose_name=_("Type of change"))
    extra_cpu_core_hours = tables.Column(verbose_name=_("Extra core-hours"))
    extra_gpu_hours = tables.Column(verbose_name=_("Extra GPU hours"))
    new_ends_on = tables.Column(verbose_name=_("New end date"), default="—")
    justification = tables.Column(verbose_name=_("Justification"), orderable=False)
    requested_by = tables.Column(accessor="requested_by__username", verbose_name=_("Asked by"), default="—")
    created = tables.Column(verbose_name=_("Asked on"))
    status = tables.Column(verbose_name=_("Status"))
    decision = tables.TemplateColumn(
        template_name="hpc/includes/change_decision_cell.html",
        orderable=False,
        verbose_name=_("Decision"),
        empty_values=(),
    )

    class Meta(BaseTable.Meta):
        model = ChangeRequest
        fields = ()
        order_by = ("-created",)
        empty_text = _("No change request matches these filters.")

    def render_change_type(self, record) -> str:
        return record.get_change_type_display()

    def render_extra_cpu_core_hours(self, value) -> str:
        return number(value)

    def render_extra_gpu_hours(self, value) -> str:
        return number(value)

    def render_new_ends_on(self, value) -> str:
        return day(value)

    def render_created(self, value) -> str:
        return day(value)

    def render_status(self, record) -> str:
        return record.get_status_display()
