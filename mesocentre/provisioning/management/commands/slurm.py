"""mesocentre slurm reconcile | import: the drift between the database and Slurm, and adopting a cluster."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mesocentre.core.formatting import number
from mesocentre.provisioning.drivers import DriverError
from mesocentre.provisioning.slurm import adoption, reconcile
from mesocentre.provisioning.slurm.clusters import ClusterNotConfigured, declared_clusters


class Command(BaseCommand):
    help = "Compare Slurm's accounts, users and limits with the platform's and repair the drift; adopt a cluster."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        check = verbs.add_parser("reconcile", help="print the drift; --apply repairs it")
        check.add_argument("--cluster", help="one declared cluster (default: every declared cluster)")
        check.add_argument("--apply", action="store_true", help="converge Slurm to the platform's state")
        check.add_argument("--remove-extra", action="store_true", help="with --apply, delete accounts unknown here")
        check.add_argument("--json", action="store_true", help="print the drift as JSON")
        adopt = verbs.add_parser(
            "import", help="create projects, members and allocations from the accounts a cluster already has"
        )
        adopt.add_argument("--cluster", help="one declared cluster (default: the only declared one)")
        adopt.add_argument("--dry-run", action="store_true", help="report what would be created, create nothing")
        adopt.add_argument("--laboratory", help="laboratory code for accounts whose laboratory cannot be told")
        adopt.add_argument("--ends-on", type=datetime.date.fromisoformat, help="end of the imported allocations "
                           "(YYYY-MM-DD; default: in a year)")  # fmt: skip
        adopt.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        if options["verb"] == "import":
            return self.handle_import(options)
        names = [options["cluster"]] if options.get("cluster") else self.cluster_names()
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

    @staticmethod
    def cluster_names() -> list[str]:
        names = [c.name for c in declared_clusters()]
        if not names:
            raise CommandError(
                "No Slurm cluster is configured: set SLURM_CONF and MESOCENTRE_SLURM_CLUSTER.", returncode=2
            )
        return names

    def handle_import(self, options):
        names = [options["cluster"]] if options.get("cluster") else self.cluster_names()
        if len(names) > 1:
            raise CommandError(f"--cluster: several clusters are declared ({', '.join(names)}): name one.", 2)
        try:
            report = adoption.run_import(
                names[0], dry_run=options["dry_run"], laboratory=options["laboratory"], ends_on=options["ends_on"]
            )
        except (ClusterNotConfigured, DriverError) as exc:
            raise CommandError(f"--cluster {names[0]}: {exc}", returncode=2) from exc
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise CommandError(f"--{field}: {' '.join(messages)}", returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, default=str, ensure_ascii=False))
            return
        verb = "would create" if options["dry_run"] else "created"
        self.stdout.write(f"{report['cluster']}: {report['accounts_read']} account(s) read; {verb} "
                          f"{len(report['created'])} project(s); {len(report['known'])} already known")  # fmt: skip
        for row in report["created"]:
            allocation = row["allocation"]
            hours = (
                f"{number(allocation['cpu_core_hours'])} core-hours, {number(allocation['gpu_hours'])} GPU hours"
                if allocation
                else "no allocation"
            )
            self.stdout.write(f"  {verb} {row['project']}: {len(row['members'])} member(s), {hours}")
        for row in report["not_mapped"]:
            self.stdout.write(f"  not mapped {row['account']}: {row['reason']}")
        for row in report["warnings"]:
            self.stdout.write(f"  warning {row['account']}: {row['message']}")
