"""The operators' page of the cloud's occupancy: per site and resource, capacity, used and percent."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from mesocentre.core import formatting
from mesocentre.core.roles import is_operator
from mesocentre.resources.placements import capacity_report


def _rows(site: dict) -> list[dict]:
    labels = {
        "vcpu": (_("vCPU"), ""),
        "ram_gb": (_("RAM"), _("GB")),
        "disk_gb": (_("disk"), _("TB")),
        "backup_gb": (_("backups"), _("TB")),
    }
    rows = []
    for resource, figures in site["resources"].items():
        label, unit = labels[resource]
        tb = "capacity_tb" in figures
        rows.append(
            {
                "label": label,
                "unit": unit,
                "capacity": formatting.number(figures["capacity_tb"] if tb else figures["capacity"]),
                "used": formatting.number(figures["used_tb"] if tb else figures["used"]),
                "exact": _("%(used)s GB of %(capacity)s GB")
                % {"used": formatting.number(figures["used"]), "capacity": formatting.number(figures["capacity"])}
                if tb
                else "",
                "percent": "—" if figures["percent"] is None else formatting.percent(figures["percent"], 0),
            }
        )
    return rows


@login_required
def occupancy(request):
    """Operators only (infrastructure): computed from the placements and pools at each request."""
    if not is_operator(request.user):
        raise PermissionDenied
    sites = [{"name": site["name"], "code": site["site"], "rows": _rows(site)} for site in capacity_report()]
    return render(request, "resources/occupancy.html", {"title": _("Cloud occupancy"), "sites": sites})
