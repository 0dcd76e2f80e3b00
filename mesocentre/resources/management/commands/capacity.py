"""mesocentre capacity [--json]: the cloud's occupancy per site, computed from the VMs' placements and the pools."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mesocentre.core import formatting
from mesocentre.resources.management.common import table
from mesocentre.resources.placements import capacity_report


def _label(resource: str) -> str:
    return {"vcpu": _("vCPU"), "ram_gb": _("RAM (GB)"), "disk_gb": _("disk (TB)"), "backup_gb": _("backups (TB)")}[
        resource
    ]


class Command(BaseCommand):
    help = "Capacity: each site's vCPU, RAM, disk and backups — capacity, used, percent — from the placements."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as JSON (GB, whole percents)")

    def handle(self, *args, **options):
        report = capacity_report()
        if options["json"]:
            self.stdout.write(json.dumps({"sites": report}, ensure_ascii=False))
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
