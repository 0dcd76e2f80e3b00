"""The estimate an order carries: the calculator's quote of what it orders, for a quarter and for a year.

Registered with ``resources.registry`` (billing is above resources): the same ``calculator.quote`` as the public
calculator, on the price list of the establishment that pays for the project, so an order shows the figures the
calculator would.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from mesocentre.billing.calculator import Item, quote
from mesocentre.catalogue.models import Offering


def item_of(kind: str, plan_code: str, quantities: dict) -> Item:
    """The calculator's item for one resource of ``kind`` at ``quantities`` (the sizes ``resources.sizing`` keeps).
    A hosted rack is priced whole, whatever U it takes (the offer sells racks)."""

    def size(code: str) -> Decimal:
        return Decimal(str(quantities.get(code, "0")))

    if kind == Offering.Kind.CLOUD_VM:
        return Item(kind, plan_code, vcpu=int(size("vcpu")), ram_gb=int(size("ram_gb")), disk_gb=int(size("disk_gb")))
    if kind == Offering.Kind.RACK:
        return Item(kind, plan_code, count=1)
    count = int(size("count")) if "count" in quantities else 1
    return Item(
        kind,
        plan_code,
        count=count,
        storage_gb=size("storage_gb"),
        core_hours=size("core_hours"),
        gpu_hours=size("gpu_hours"),
        node_hours=size("node_hours"),
    )


def estimate(order) -> dict[str, Any]:
    if order.plan is None:
        return {}
    item = item_of(order.offering.kind, order.plan.code, order.quantities)
    price_list = order.project.paying_establishment.price_list_code
    day = timezone.localdate()
    result: dict[str, Any] = {"price_list": price_list, "date": day.isoformat()}
    for period in ("quarter", "year"):
        figures = quote([item], period=period, price_list=price_list, day=day)
        result[period] = {
            "total_ht": str(figures.total_ht),
            "total_vat": str(figures.total_vat),
            "total_ttc": str(figures.total_ttc),
        }
    return result
