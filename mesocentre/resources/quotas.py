"""Quotas: how much of a dimension an establishment, a laboratory or a project holds and has on order.

In use = what its resources hold now (their open periods) + what its open orders would add (a new resource's size;
a change's growth over what the resource holds). ``check`` refuses an order that would pass a quota, with the
numbers, and is run twice: when the order is placed and again, under the quotas' row locks, when it is approved,
so that two orders racing for the last vCPU cannot both pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from mesocentre.core import formatting
from mesocentre.projects.models import Project
from mesocentre.resources.models import Order, Quota, Resource, ResourcePeriod
from mesocentre.resources.sizing import quota_usage


@dataclass(frozen=True)
class Use:
    quota: Quota
    in_use: Decimal  # held and ordered, this order excluded
    needed: Decimal  # what this order adds

    @property
    def passes(self) -> bool:
        return self.in_use + self.needed > self.quota.limit


def quotas_over(project: Project):
    """The quotas that bind ``project``: its own, its laboratory's and its paying establishment's."""
    return Quota.objects.filter(
        Q(project=project)
        | Q(laboratory_id=project.laboratory_id)
        | Q(establishment_id=project.paying_establishment_id)
    ).select_related("establishment", "laboratory", "project")


def _projects_of(quota: Quota) -> Q:
    if quota.establishment_id:
        return Q(project__paying_establishment_id=quota.establishment_id)
    if quota.laboratory_id:
        return Q(project__laboratory_id=quota.laboratory_id)
    return Q(project_id=quota.project_id)


def in_use(quota: Quota, excluding: Order | None = None) -> Decimal:
    """What ``quota``'s holder holds and has on order of its dimension (``excluding`` one order)."""
    total = Decimal(0)
    held_now: dict[int, dict] = {}
    periods = (
        ResourcePeriod.objects.filter(valid_until__isnull=True)
        .exclude(resource__state=Resource.State.TERMINATED)
        .filter(**{f"resource__{key}": value for key, value in _projects_of(quota).children})
        .values_list("resource_id", "resource__offering__kind", "quantities")
    )
    for resource_id, kind, quantities in periods:
        held_now[resource_id] = quantities
        total += quota_usage(kind, quantities).get(quota.dimension, Decimal(0))
    orders = Order.objects.filter(_projects_of(quota), state__in=Order.OPEN).exclude(type=Order.Type.TERMINATE)
    if excluding is not None and excluding.pk:
        orders = orders.exclude(pk=excluding.pk)
    for order_type, kind, quantities, resource_id in orders.values_list(
        "type", "offering__kind", "quantities", "resource_id"
    ):
        total += _added(order_type, kind, quantities, held_now.get(resource_id)).get(quota.dimension, Decimal(0))
    return total


def _added(order_type: str, kind: str, quantities: dict, held: dict | None) -> dict[str, Decimal]:
    """What an order adds to its dimensions: all of a new resource; a change's growth (never below 0)."""
    wanted = quota_usage(kind, quantities)
    if order_type == Order.Type.CREATE or held is None:
        return wanted if order_type == Order.Type.CREATE else {}
    now = quota_usage(kind, held)
    return {dim: max(Decimal(0), value - now.get(dim, Decimal(0))) for dim, value in wanted.items()}


def uses(order: Order, *, lock: bool = False) -> list[Use]:
    """Each quota binding ``order``'s project in a dimension it adds to, with what is in use and what it needs."""
    held = None
    if order.type == Order.Type.UPDATE and order.resource_id:
        current = order.resource.periods.filter(valid_until__isnull=True).first()
        held = current.quantities if current else None
    added = _added(order.type, order.offering.kind, order.quantities, held)
    wanted = {dim for dim, value in added.items() if value > 0}
    if not wanted or order.type == Order.Type.TERMINATE:
        return []
    quotas = quotas_over(order.project).filter(dimension__in=wanted).order_by("pk")
    if lock:
        quotas = quotas.select_for_update(of=("self",))
    return [Use(quota, in_use(quota, excluding=order), added[quota.dimension]) for quota in quotas]


def check(order: Order, *, lock: bool = False) -> None:
    """Refuse ``order`` if it would pass a quota, saying which, with the numbers."""
    problems = [_describe(use) for use in uses(order, lock=lock) if use.passes]
    if problems:
        raise ValidationError({"quantities": problems})


def _describe(use: Use) -> str:
    quota = use.quota
    return _("%(holder)s has %(used)s of its %(limit)s %(unit)s in use or ordered; this order needs %(needed)s.") % {
        "holder": quota.holder_label,
        "used": formatting.number(use.in_use),
        "limit": formatting.number(quota.limit),
        "unit": quota.get_dimension_display(),
        "needed": formatting.number(use.needed),
    }
