"""mesocentre capacity [--json] [--from DAY --to DAY]: the cloud's occupancy per site, computed from the VMs'
placements and the pools; the racks' power against their budget per rack and per POD, declared and measured over the
period (the previous month by default)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core import formatting
from mesocentre.resources.management.common import bad_input, table
from mesocentre.resources.placements import capacity_report
from mesocentre.resources.rack_power import Period, parse_period, rack_power_report


def _label(resource: str) -> str:
    return {"vcpu": _("vCPU"), "ram_gb": _("RAM (GB)"), "disk_gb": _("disk (TB)"), "backup_gb": _("backups (TB)")}[
        resource
    ]


class Command(BaseCommand):
    help = "Capacity: each site's vCPU, RAM, disk and backups — capacity, used, percent — from the placements."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as JSON (GB, whole percents)")
        parser.add_argument("--from", dest="start", help="the racks' measured power from this day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="… to this day, included (default: the previous month)")

    def handle(self, *args, **options):
        try:
            period = parse_period(options["start"], options["end"], timezone.localdate())
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise bad_input(f"--{field}", " ".join(messages)) from None
        report = capacity_report()
        racks = {"period": {"from": period.start.isoformat(), "to": period.end.isoformat()}}
        racks["pods"] = rack_power_report(period)
        if options["json"]:
            self.stdout.write(json.dumps({"sites": report, "racks": racks}, ensure_ascii=False))
            return
        lines = [[_("site"), _("resource"), _("capacity"), _("used"), _("percent")]]
        for site in report:
            for resource, figures in site["resources"].items():
                tb = "capacity_tb" in figures
                lines.append(
                    [
                        site["name"],
                        _label(resource),
                        formatting.number(figures["capacity_tb"] if tb else figures["capacity"]),
                        formatting.number(figures["used_tb"] if tb else figures["used"]),
                        "—" if figures["percent"] is None else formatting.percent(figures["percent"], 0),
                    ]
                )
        self.stdout.write(table(lines))
        self.stdout.write("")
        self.stdout.write(self._pods(period, racks["pods"]))

    def _pods(self, period: Period, pods: list[dict]) -> str:
        """Each POD's power: budget, declared, measured over the period (its racks in ``--json``)."""
        lines = [[_("POD"), _("budget (kW)"), _("declared (kW)"), _("measured average (kW)"), _("racks read")]]
        for pod in pods:
            total = pod["total"]
            measured = total["measured_kw"]
            lines.append(
                [
                    pod["name"],
                    formatting.number(Decimal(total["budget_kw"]), 2),
                    formatting.number(Decimal(total["declared_kw"]), 2),
                    "—" if measured is None else formatting.number(Decimal(measured), 2),
                    formatting.number(total["measured_racks"]),
                ]
            )
        heading = _("Racks' power, measured from %(start)s to %(end)s:") % {
            "start": formatting.day(period.start),
            "end": formatting.day(period.end),
        }
        return heading + "\n" + table(lines)
