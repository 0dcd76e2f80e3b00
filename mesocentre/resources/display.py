"""How a resource's size and an order's estimate are written on the pages, in the page's language."""

from __future__ import annotations

from mesocentre.core.formatting import number
from mesocentre.resources.sizing import DIMENSIONS


def size_text(quantities: dict | None) -> str:
    """``{"vcpu": "2", "ram_gb": "4"}`` → "2 vCPU, RAM 4 GB" (each figure through ``core.formatting``), in the
    order of ``sizing.DIMENSIONS``; no query."""
    quantities = quantities or {}
    parts = []
    for code, dimension in DIMENSIONS.items():
        if code not in quantities:
            continue
        figure = f"{number(quantities[code])} {dimension.unit}"
        label, unit = str(dimension.label), str(dimension.unit)
        # "8 vCPU", "1,500,000 core-hours": a label the unit already says is not written twice.
        parts.append(figure if unit.lower() in label.lower() else f"{label} {figure}")
    parts += [f"{code} {number(value)}" for code, value in sorted(quantities.items()) if code not in DIMENSIONS]
    return ", ".join(parts) or "—"
