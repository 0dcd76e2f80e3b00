"""Collectors read a backend's accounting and turn finished work into usage records."""

import datetime
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime
from django.utils.timezone import make_aware

from mesocentre.provisioning.slurm.client import SlurmClient, parse_tres

# A job in one of these states will not consume more: it can be recorded once and for all.
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL"}


@dataclass(frozen=True)
class JobUsage:
    job_id: str
    account: str
    user: str
    started_at: datetime.datetime | None
    ended_at: datetime.datetime
    cpu_seconds: int
    gpu_seconds: int


def finished_slurm_jobs(client: SlurmClient, since: str = "1970-01-01T00:00:00") -> list[JobUsage]:
    """Every finished job of the cluster since ``since``, from sacct's allocation records (argv, never a shell)."""
    fields = ("jobid", "account", "user", "start", "end", "state", "elapsedraw", "alloctres")
    jobs = []
    for row in client.job_records(fields, since=since):
        if len(row) < 8 or row[5].split()[0] not in FINAL_STATES or row[4] in ("", "Unknown"):
            continue
        tres = parse_tres(row[7])
        elapsed = int(row[6] or 0)
        jobs.append(
            JobUsage(
                job_id=row[0],
                account=row[1],
                user=row[2],
                started_at=_when(row[3]),
                ended_at=_when(row[4]),
                cpu_seconds=elapsed * tres.get("cpu", 0),
                gpu_seconds=elapsed * tres.get("gres/gpu", 0),
            )
        )
    return jobs


def _when(text: str) -> datetime.datetime | None:
    parsed = parse_datetime(text) if text not in ("", "Unknown", "None") else None
    return make_aware(parsed) if parsed is not None and parsed.tzinfo is None else parsed
