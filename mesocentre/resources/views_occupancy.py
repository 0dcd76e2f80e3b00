"""The operators' page of the cloud's occupancy: per site and resource, capacity, used and percent; then the racks'
power against their budget, per rack and per POD (declared, and measured over a period)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core import formatting
from mesocentre.core.roles import is_operator
from mesocentre.resources.placements import capacity_report
from mesocentre.resources.rack_power import Period, parse_period, previous_month, rack_power_report


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


def _power_figure(kw: str | None, percent: int | None) -> str:
    if kw is None:
        return "—"
    text = formatting.number(Decimal(kw), 2)
    return text if percent is None else f"{text} ({formatting.percent(percent, 0)})"


def _pods(period: Period) -> list[dict]:
    pods = []
    for pod in rack_power_report(period):
        racks = [
            {
                "rack": row["rack"],
                "budget": formatting.number(Decimal(row["budget_kw"]), 2),
                "declared": _power_figure(row["declared_kw"], row["declared_percent"]),
                "measured": _power_figure(row["measured_kw"], row["measured_percent"]),
                "days": row["measured_days"],
            }
            for row in pod["racks"]
        ]
        total = pod["total"]
        pods.append(
            {
                "name": pod["name"],
                "racks": racks,
                "budget": formatting.number(Decimal(total["budget_kw"]), 2),
                "declared": _power_figure(total["declared_kw"], total["declared_percent"]),
                "measured": _power_figure(total["measured_kw"], total["measured_percent"]),
                "measured_racks": total["measured_racks"],
            }
        )
    return pods


@login_required
def occupancy(request):
    """Operators only (infrastructure): computed from the placements, the pools, the racks' reservations and their
    readings at each request; ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` is the period of the racks' measured power."""
    if not is_operator(request.user):
        raise PermissionDenied
    status, errors = 200, []
    try:
        period = parse_period(request.GET.get("from"), request.GET.get("to"), timezone.localdate())
    except ValidationError as exc:
        status, errors = 400, [f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()]
        period = previous_month(timezone.localdate())
    sites = [{"name": site["name"], "code": site["site"], "rows": _rows(site)} for site in capacity_report()]
    context = {"title": _("Cloud occupancy"), "sites": sites, "period": period, "pods": _pods(period), "errors": errors}
    return render(request, "resources/occupancy.html", context, status=status)
