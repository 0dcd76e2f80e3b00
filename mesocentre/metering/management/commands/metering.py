"""mesocentre metering collect-slurm: record finished jobs of a cluster, exactly once."""

from django.core.management.base import BaseCommand, CommandError

from mesocentre.metering.services import collect_slurm
from mesocentre.provisioning.slurm.client import SlurmClient, SlurmError


class Command(BaseCommand):
    help = "Collect usage from the backends into usage records (each job once)."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        slurm = verbs.add_parser("collect-slurm", help="record the finished jobs of a Slurm cluster")
        slurm.add_argument("--cluster", required=True, help="Slurm ClusterName")
        slurm.add_argument("--slurm-conf", help="path to its slurm.conf (default: SLURM_CONF)")
        slurm.add_argument("--since", default="1970-01-01T00:00:00", help="only jobs started since (ISO date)")

    def handle(self, *args, **options):
        try:
            added = collect_slurm(SlurmClient(options["cluster"], options.get("slurm_conf")), options["since"])
        except SlurmError as exc:
            raise CommandError(f"--cluster {options['cluster']}: {exc}", returncode=2) from exc
        self.stdout.write(f"{added} new usage record(s) from {options['cluster']}.")
