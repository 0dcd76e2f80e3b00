"""mesocentre slurm reconcile: show (and with --apply repair) the drift between the database and Slurm."""

import json

from django.core.management.base import BaseCommand, CommandError

from mesocentre.provisioning.drivers import DriverError
from mesocentre.provisioning.slurm import reconcile
from mesocentre.provisioning.slurm.clusters import ClusterNotConfigured, declared_clusters


class Command(BaseCommand):
    help = "Compare Slurm's accounts, users and limits with the platform's, and repair the drift."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        check = verbs.add_parser("reconcile", help="print the drift; --apply repairs it")
        check.add_argument("--cluster", help="one declared cluster (default: every declared cluster)")
        check.add_argument("--apply", action="store_true", help="converge Slurm to the platform's state")
        check.add_argument("--remove-extra", action="store_true", help="with --apply, delete accounts unknown here")
        check.add_argument("--json", action="store_true", help="print the drift as JSON")

    def handle(self, *args, **options):
        names = [options["cluster"]] if options.get("cluster") else [c.name for c in declared_clusters()]
        if not names:
            raise CommandError(
                "No Slurm cluster is configured: set SLURM_CONF and MESOCENTRE_SLURM_CLUSTER.", returncode=2
            )
        report = {}
        for name in names:
            try:
                items = reconcile.drift(name)
                repaired = (
                    reconcile.repair(name, items, remove_extra=options["remove_extra"]) if options["apply"] else None
                )
            except (ClusterNotConfigured, DriverError) as exc:
                raise CommandError(f"--cluster {name}: {exc}", returncode=2) from exc
            report[name] = {"drift": reconcile.as_json(items), "repaired": repaired}
        if options["json"]:
            self.stdout.write(json.dumps(report, default=str, ensure_ascii=False))
            return
        for name, entry in report.items():
            self.stdout.write(f"{name}: {len(entry['drift'])} difference(s)")
            for item in entry["drift"]:
                self.stdout.write(f"  {item['resource_key']}: {item['message']}")
            if entry["repaired"] is not None:
                kept = entry["repaired"]["extra_kept"]
                self.stdout.write(
                    f"  repaired {len(entry['repaired']['applied'])} account(s)"
                    + (f"; kept unknown accounts {', '.join(kept)} (--remove-extra)" if kept else "")
                )
