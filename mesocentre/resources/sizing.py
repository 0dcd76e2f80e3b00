"""The sizes a resource is held at: which quantities a plan takes, their units, and what they count against quotas.

A resource's size is written in the calculator's own terms (``vcpu``, ``ram_gb``, ``disk_gb``, ``storage_gb``,
``core_hours``…, the ``Component.SizedBy`` of the plan's components), so that what an order quotes and what billing
later rates are the same numbers put through the same code: a gold VM holds ``{"vcpu": "2", "ram_gb": "4",
"disk_gb": "50"}`` and its backups and standby follow from its plan's components. Components priced "one per item"
take ``count`` (a rule set, a database); a hosted rack takes the U it reserves and the kW it may draw instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from mesocentre.catalogue.models import Component, Offering, Plan


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    unit: str
    required: bool = True
    whole: bool = True  # a whole number (vCPU, GB, U); kW and hours may have decimals


# Every quantity a resource may hold, in the order forms show them.
DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension("vcpu", _("vCPU"), _("vCPU")),
        Dimension("ram_gb", _("RAM"), _("GB")),
        Dimension("disk_gb", _("Disk"), _("GB")),
        Dimension("storage_gb", _("Storage"), _("GB")),
        # Slurm grants whole hours (its limits are whole minutes of a whole number of hours here).
        Dimension("core_hours", _("CPU core-hours"), _("core-hours")),
        Dimension("gpu_hours", _("GPU hours"), _("GPU hours"), required=False),
        Dimension("node_hours", _("GPU node-hours"), _("node-hours"), whole=False),
        Dimension("count", _("Number"), _("items")),
        Dimension("u", _("Rack units"), _("U")),
        Dimension("kw", _("Power"), _("kW"), required=False, whole=False),
    )
}

# A rack is sold whole (7 000 € a year) but held as the U it takes and the power it may draw.
RACK_DIMENSIONS = ("u", "kw")
FULL_RACK_U = 42


def dimensions(plan: Plan) -> list[Dimension]:
    """The quantities ``plan`` takes, from its components (measured electricity is usage, never held)."""
    if plan.offering.kind == Offering.Kind.RACK:
        return [DIMENSIONS[code] for code in RACK_DIMENSIONS]
    codes = {
        component.sized_by
        for component in plan.components.all()
        if component.sized_by != Component.SizedBy.FACILITY_KWH
    }
    return [dimension for code, dimension in DIMENSIONS.items() if code in codes]


# What each kind of resource counts against quotas: the quota's dimension → the size it reads (None: one per item).
QUOTA_READS: dict[str, dict[str, str | None]] = {
    Offering.Kind.CLOUD_VM: {"vcpu": "vcpu", "ram_gb": "ram_gb", "disk_gb": "disk_gb", "vms": None},
    Offering.Kind.STORAGE: {"storage_gb": "storage_gb"},
    Offering.Kind.BACKUP: {"storage_gb": "storage_gb"},
    Offering.Kind.RACK: {"racks": None},
}


def quota_usage(kind: str, quantities: dict) -> dict[str, Decimal]:
    """What one resource of ``kind`` at ``quantities`` counts against each quota dimension."""
    reads = QUOTA_READS.get(kind, {})
    return {
        quota: Decimal(1) if size is None else Decimal(str(quantities.get(size, "0"))) for quota, size in reads.items()
    }
