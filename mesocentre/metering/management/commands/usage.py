"""mesocentre usage import-sacct | import-kwh | aside | collect-slurm: usage in, each job and period once.

Exit status 2 when what the operator gave cannot be read at all (no such file, a column missing, no cluster, an
unknown time zone: nothing imported), 1 when the database or Slurm refused (the batch in flight written not at all).
Bad lines do not fail the import: they are listed with their numbers and reasons, and the good ones recorded.
"""

import json
import os
import zoneinfo

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max, Min, Sum
from django.utils.translation import gettext as _

from mesocentre.core.formatting import day, number
from mesocentre.metering.energy import import_kwh
from mesocentre.metering.models import UsageRecord
from mesocentre.metering.sacct import CLUSTER_RE, BatchRefused, SacctFileError, file_blocks, import_sacct
from mesocentre.metering.services import HOUR, collect_slurm_report
from mesocentre.provisioning.slurm import names
from mesocentre.provisioning.slurm.client import SlurmClient, SlurmError

# Where Debian's Slurm tools look when SLURM_CONF is not set.
DEFAULT_SLURM_CONF = "/etc/slurm/slurm.conf"
BAD_LINES_SHOWN = 50  # in the text summary; --json lists them all


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


class Progress:
    """A one-line progress bar on stderr, when stderr is a terminal (a cron job's log gets the summary only)."""

    def __init__(self, stream, total: int):
        self.stream, self.total, self.shown = stream, max(total, 1), -1
        self.on = hasattr(stream, "isatty") and stream.isatty()

    def bytes_read(self, done: int) -> None:
        percent = min(100, done * 100 // self.total)
        if self.on and percent != self.shown:
            self.shown = percent
            bar = "#" * (percent // 4)
            self.stream.write(f"\r[{bar:<25}] {percent:3d} %", ending="")
            self.stream.flush()

    def end(self) -> None:
        if self.on and self.shown >= 0:
            self.stream.write("")


class Command(BaseCommand):
    help = "Import usage (sacct files, measured kWh), list the jobs kept aside, collect a Slurm cluster's jobs."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        sacct = verbs.add_parser("import-sacct", help="record the ended jobs of a sacct file (each job once)")
        sacct.add_argument("file", help="sacct --parsable2 --allusers --allocations --format=JobIDRaw,Cluster,…")
        sacct.add_argument("--cluster", help="the cluster of lines without a Cluster value")
        sacct.add_argument("--time-zone", help="the cluster's time zone, which sacct's times are in (default: "
                           "the platform's TIME_ZONE)")  # fmt: skip
        sacct.add_argument("--batch-lines", type=int, default=200_000, help="lines per transaction")
        sacct.add_argument("--json", action="store_true", help="print the counts and the bad lines as JSON")
        kwh = verbs.add_parser("import-kwh", help="record the measured kWh of hosted racks (rack,start,end,kWh)")
        kwh.add_argument("file", help="CSV: rack (pod1-03), period start, period end (days, included), kWh")
        kwh.add_argument("--json", action="store_true", help="print the counts and the bad lines as JSON")
        aside = verbs.add_parser("aside", help="list the jobs kept aside: accounts no project has")
        aside.add_argument("--json", action="store_true", help="print them as JSON")
        self.add_collect_slurm(verbs)

    @staticmethod
    def add_collect_slurm(verbs):
        slurm = verbs.add_parser("collect-slurm", help="record the ended jobs of a Slurm cluster (each job once)")
        slurm.add_argument("--cluster", required=True, help="Slurm ClusterName")
        slurm.add_argument("--slurm-conf", help="path to its slurm.conf (default: SLURM_CONF)")
        slurm.add_argument("--since", default="1970-01-01T00:00:00", help="only jobs started since (ISO date)")
        slurm.add_argument("--time-zone", help="the cluster's time zone (default: the platform's TIME_ZONE)")
        slurm.add_argument("--json", action="store_true", help="print the counts and the bad lines as JSON")

    def handle(self, *args, **options):
        verb = options["verb"].replace("-", "_")
        return getattr(self, f"handle_{verb}")(options)

    # ---- import-sacct

    def handle_import_sacct(self, options):
        path, cluster = options["file"], options.get("cluster")
        if not os.path.isfile(path):
            raise CommandError(_("%(file)s: no such file.") % {"file": path}, returncode=2)
        if cluster and not CLUSTER_RE.fullmatch(cluster):
            raise CommandError(
                _("--cluster %(cluster)r is not a Slurm cluster name.") % {"cluster": cluster}, returncode=2
            )
        zone = self.time_zone(options.get("time_zone"))
        progress = Progress(self.stderr, os.path.getsize(path))
        try:
            report = import_sacct(
                file_blocks(path, progress=progress.bytes_read),
                cluster=cluster,
                time_zone=zone,
                batch_lines=max(1, options["batch_lines"]),
            )
        except SacctFileError as exc:
            progress.end()
            raise CommandError(f"{path}: {exc}.", returncode=2) from None
        except BatchRefused as exc:
            progress.end()
            raise CommandError(self.refused(path, exc), returncode=1) from None
        progress.end()
        self.summary(path, report, options["json"], jobs=True)

    def refused(self, path, exc: BatchRefused) -> str:
        reason = str(exc.error).strip().splitlines()[0] if str(exc.error).strip() else type(exc.error).__name__
        done = exc.report
        return _(
            "%(file)s: the database refused lines %(first)s to %(last)s (%(reason)s): none of them was written. "
            "The lines before them were (%(imported)s imported, %(known)s already known, %(aside)s kept aside); "
            "run the import again once the cause is fixed."
        ) % {
            "file": path,
            "first": number(exc.first_line),
            "last": number(exc.last_line),
            "reason": reason,
            "imported": number(done.imported),
            "known": number(done.known),
            "aside": number(done.aside),
        }

    def summary(self, path, report, as_json: bool, jobs: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"file": path, **report.as_json()}, ensure_ascii=False))
            return
        for n, reason in report.bad_lines[:BAD_LINES_SHOWN]:
            self.stdout.write(_("line %(line)s: %(reason)s") % {"line": number(n), "reason": reason})
        if report.refused > BAD_LINES_SHOWN:
            self.stdout.write(
                _("… and %(more)s more bad lines (--json lists them all).")
                % {"more": number(report.refused - BAD_LINES_SHOWN)}
            )
        counts = {
            "file": path,
            "imported": number(report.imported),
            "known": number(report.known),
            "aside": number(report.aside),
            "refused": number(report.refused),
            "running": number(report.running),
        }
        if jobs:
            text = _(
                "%(file)s: %(imported)s imported, %(known)s already known, %(aside)s kept aside, %(refused)s "
                "refused; %(running)s still running (recorded once they end)."
            )
        else:
            text = _("%(file)s: %(imported)s imported, %(known)s already known, %(refused)s refused.")
        self.stdout.write(text % counts)

    @staticmethod
    def time_zone(name: str | None) -> str | None:
        if name is None:
            return None
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(_("--time-zone %(zone)r is not a time zone.") % {"zone": name}, returncode=2) from None
        return name

    # ---- import-kwh

    def handle_import_kwh(self, options):
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(_("%(file)s: no such file.") % {"file": path}, returncode=2)
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            report = import_kwh(handle)
        self.summary(path, report, options["json"], jobs=False)

    # ---- aside

    def handle_aside(self, options):
        rows = (
            UsageRecord.objects.filter(aside=True)
            .values("source", "account")
            .annotate(
                jobs=Count("pk"), cpu=Sum("cpu_seconds"), gpu=Sum("gpu_seconds"), first=Min("day"), last=Max("day")
            )
            .order_by("source", "account")
        )
        listed = [
            {
                "cluster": row["source"].removeprefix("slurm:"),
                "account": row["account"],
                "jobs": row["jobs"],
                "core_hours": str(row["cpu"] / HOUR),
                "gpu_hours": str(row["gpu"] / HOUR),
                "first_day": row["first"].isoformat(),
                "last_day": row["last"].isoformat(),
            }
            for row in rows
        ]
        if options["json"]:
            self.stdout.write(json.dumps(listed, ensure_ascii=False))
            return
        if not listed:
            self.stdout.write(_("No job is kept aside: every account belongs to a project."))
            return
        for row, raw in zip(listed, rows, strict=True):
            self.stdout.write(
                _(
                    "%(cluster)s %(account)s: %(jobs)s jobs, %(cpu)s core-hours, %(gpu)s GPU hours, "
                    "from %(first)s to %(last)s"
                )
                % {
                    "cluster": row["cluster"],
                    "account": row["account"] or _("(no account)"),
                    "jobs": number(raw["jobs"]),
                    "cpu": number(raw["cpu"] / HOUR, 0),
                    "gpu": number(raw["gpu"] / HOUR, 0),
                    "first": day(raw["first"]),
                    "last": day(raw["last"]),
                }
            )

    # ---- collect-slurm

    def handle_collect_slurm(self, options):
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
        zone = self.time_zone(options.get("time_zone"))
        try:
            report = collect_slurm_report(client, options["since"], zone)
        except SlurmError as exc:
            tool = os.path.basename(exc.argv[0]) if exc.argv else "sacct"
            raise CommandError(f"cluster {cluster!r}: {tool} failed: {slurm_reason(exc)}", returncode=1) from None
        except BatchRefused as exc:
            raise CommandError(self.refused(cluster, exc), returncode=1) from None
        self.summary(cluster, report, options.get("json", False), jobs=True)
