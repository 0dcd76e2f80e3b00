"""The HPC lists in the portal (the rows come from ``filtersets``, shared with the API)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import day, number
from mesocentre.core.tables import BaseTable
from mesocentre.hpc.models import Allocation


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
