"""The resources' and orders' lists in the portal (their rows come from ``filtersets``, shared with the API)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import localized, moment
from mesocentre.core.tables import BaseTable
from mesocentre.resources.display import size_text
from mesocentre.resources.models import Order, Resource


def _offering_and_plan(offering, plan) -> str:
    name = localized(offering, "name")
    return f"{name} — {localized(plan, 'name')}" if plan is not None else name


class ResourceTable(BaseTable):
    """Rows from ``Resource.objects`` with ``project`` and ``offering`` selected and ``open_periods`` prefetched
    (``views.resources_with_size``)."""

    caption = _("Resources")
    name = tables.LinkColumn("resources:resource_detail", args=[tables.A("pk")], verbose_name=_("Name"))
    project = tables.Column(accessor="project__code", verbose_name=_("Project"))
    offering = tables.Column(empty_values=(), order_by=("offering__code",), verbose_name=_("Offering and plan"))
    state = tables.Column(verbose_name=_("State"))
    size = tables.Column(empty_values=(), orderable=False, verbose_name=_("Size"))
    since = tables.Column(empty_values=(), orderable=False, verbose_name=_("Since"))

    class Meta(BaseTable.Meta):
        model = Resource
        fields = ()
        order_by = ("name",)
        empty_text = _("No resource matches.")

    @staticmethod
    def _period(record):
        periods = record.open_periods
        return periods[0] if periods else None

    def render_offering(self, record) -> str:
        period = self._period(record)
        return _offering_and_plan(record.offering, period.plan if period else None)

    def render_state(self, record) -> str:
        return record.get_state_display()

    def render_size(self, record) -> str:
        period = self._period(record)
        return size_text(period.quantities) if period else "—"

    def render_since(self, record) -> str:
        period = self._period(record)
        return moment(period.valid_from) if period else "—"


class OrderTable(BaseTable):
    """Rows from ``Order.objects`` with ``project``, ``offering``, ``plan`` and ``resource`` selected."""

    caption = _("Orders, newest first")
    id = tables.LinkColumn(
        "resources:order_detail", args=[tables.A("pk")], text=lambda o: f"#{o.pk}", verbose_name=_("Order")
    )
    type = tables.Column(verbose_name=_("Type"))
    project = tables.Column(accessor="project__code", verbose_name=_("Project"))
    what = tables.Column(empty_values=(), order_by=("offering__code",), verbose_name=_("Offering and plan"))
    resource = tables.Column(empty_values=(), order_by=("resource__name", "name"), verbose_name=_("Resource"))
    size = tables.Column(empty_values=(), orderable=False, verbose_name=_("Size"))
    state = tables.Column(verbose_name=_("State"))
    created = tables.Column(order_by=("created", "id"), verbose_name=_("Placed"))

    class Meta(BaseTable.Meta):
        model = Order
        fields = ()
        order_by = ("-id",)
        empty_text = _("No order matches.")

    def render_type(self, record) -> str:
        return record.get_type_display()

    def render_what(self, record) -> str:
        return _offering_and_plan(record.offering, record.plan)

    def render_resource(self, record) -> str:
        if record.resource_id:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("resources:resource_detail", args=[record.resource_id]),
                record.resource.name,
            )
        return record.name or "—"

    def render_size(self, record) -> str:
        return size_text(record.quantities) if record.type != Order.Type.TERMINATE else "—"

    def render_state(self, record) -> str:
        return record.get_state_display()

    def render_created(self, value) -> str:
        return moment(value)
