"""The operators' list of PODs, each with its racks and their totals (rows from ``filtersets.PodFilterSet``)."""

import django_tables2 as tables
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from mesocentre.capacity.models import Pod, Rack
from mesocentre.core.formatting import number
from mesocentre.core.tables import BaseTable


def with_racks(pods: QuerySet) -> QuerySet:
    """The PODs with their totals (annotations) and their racks (one prefetch): the same queries for 2 or 20."""
    return pods.with_totals().prefetch_related(Prefetch("racks", queryset=Rack.objects.order_by("number")))


class PodTable(BaseTable):
    name = tables.Column(verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Code"))
    site = tables.Column(order_by=("site__code",), verbose_name=_("Site"), default="—")
    hot_aisle_width_m = tables.Column(verbose_name=_("Hot aisle (m)"))
    racks_count = tables.Column(verbose_name=_("Racks"))
    total_u = tables.Column(verbose_name=_("Total U"))
    total_kw = tables.Column(verbose_name=_("Power budget (kW)"))
    racks = tables.Column(accessor="pk", orderable=False, verbose_name=_("Racks (U, kW)"))

    class Meta(BaseTable.Meta):
        model = Pod
        fields = ()
        order_by = ("code",)
        empty_text = _("No POD matches the filters.")

    def render_hot_aisle_width_m(self, value) -> str:
        return number(value)

    def render_racks_count(self, value) -> str:
        return number(value)

    def render_total_u(self, value) -> str:
        return number(value)

    def render_total_kw(self, value) -> str:
        return number(value)

    def render_racks(self, record) -> str:
        return "; ".join(
            _g("%(number)s: %(u)s U, %(kw)s kW")
            % {"number": rack.number, "u": rack.height_u, "kw": number(rack.power_budget_kw)}
            for rack in record.racks.all()
        )
