"""mesocentre metering collect-slurm: record finished jobs of a cluster, exactly once.

Failures are said in one line naming the cluster, the tool and the reason, never Slurm's raw stderr: exit status 2
when what the operator gave is wrong (a cluster name Slurm would refuse, a slurm.conf that is not there), 1 when
Slurm itself fails (slurmdbd unreachable, sacct refusing).
"""

import os

from django.core.management.base import BaseCommand, CommandError

from mesocentre.metering.services import collect_slurm
from mesocentre.provisioning.slurm import names
from mesocentre.provisioning.slurm.client import SlurmClient, SlurmError

# Where Debian's Slurm tools look when SLURM_CONF is not set.
DEFAULT_SLURM_CONF = "/etc/slurm/slurm.conf"


def slurm_reason(exc: SlurmError) -> str:
    """The one line of a Slurm tool's output that says why it failed.

    sacct writes several lines ("error: …, retrying", "error: ClusterName needs to be specified", "fatal: …"):
    the fatal one is the cause, else the last error; the tool's "sacct: error: " prefix is dropped."""
    lines = [line.strip() for line in (exc.stderr or exc.stdout or "").splitlines() if line.strip()]
    fatal = [line for line in lines if "fatal:" in line]
    errors = [line for line in lines if "error:" in line]
    line = (fatal or errors or lines or [f"exit status {exc.returncode}"])[-1]
    for marker in ("fatal:", "error:"):
        if marker in line:
            line = line.split(marker, 1)[1].strip()
            break
    return line


class Command(BaseCommand):
    help = "Collect usage from the backends into usage records (each job once)."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        slurm = verbs.add_parser("collect-slurm", help="record the finished jobs of a Slurm cluster")
        slurm.add_argument("--cluster", required=True, help="Slurm ClusterName")
        slurm.add_argument("--slurm-conf", help="path to its slurm.conf (default: SLURM_CONF)")
        slurm.add_argument("--since", default="1970-01-01T00:00:00", help="only jobs started since (ISO date)")

    def handle(self, *args, **options):
        cluster = options["cluster"]
        try:
            client = SlurmClient(cluster, options.get("slurm_conf"))
        except names.InvalidName as exc:
            raise CommandError(f"--cluster {cluster!r}: {exc}", returncode=2) from None
        conf = client.slurm_conf or os.environ.get("SLURM_CONF") or DEFAULT_SLURM_CONF
        # Checked here because sacct, given a missing file, retries for a minute before printing three lines.
        if not os.path.isfile(conf):
            raise CommandError(
                f"cluster {cluster!r}: sacct cannot run: the slurm.conf {conf} does not exist (--slurm-conf).",
                returncode=2,
            )
        try:
            added = collect_slurm(client, options["since"])
        except SlurmError as exc:
            tool = os.path.basename(exc.argv[0]) if exc.argv else "sacct"
            raise CommandError(f"cluster {cluster!r}: {tool} failed: {slurm_reason(exc)}", returncode=1) from None
        self.stdout.write(f"{added} new usage record(s) from {cluster}.")
