"""Import a million sacct job records with `usage import-sacct`'s path, against the limit (a raw COPY of the same rows
into a bare table) and the naive way (a loop of ORM saves, measured on a sample and reported per row).

    python bench/usage_import.py [--n 1000000] [--sample 20000] [--projects 500]

Starts its own PostgreSQL (``scripts/postgres.sh``, under a temporary directory, stopped at the end), migrates it,
creates ``--projects`` projects whose accounts run the jobs (1 % of the jobs run under accounts no project has: kept
aside), writes an sacct file of ``--n`` jobs (its header, sacct's columns in sacct's order, a few GPU jobs with
their typed twin ``gres/gpu:v100=``), then times in the same run:

- COPY: ``COPY bare FROM the file (FORMAT csv, DELIMITER '|', HEADER)`` into a table of ten text columns, no index;
- import: ``metering.sacct.import_sacct`` on the file (COPY of the raw lines, the checks and the INSERT … ON CONFLICT
  DO NOTHING into the indexed usage records, by batches of 200 000 lines), then the same file again (all known);
- ORM: parse each line in Python and ``UsageRecord(...).save()`` it, on the first ``--sample`` lines.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = "JobIDRaw|Cluster|Account|User|Submit|Start|End|ElapsedRaw|AllocTRES|State"


def start_postgres(directory: Path) -> str:
    port = 20000 + random.randrange(20000)
    url = subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), "start", str(directory), str(port)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE mesocentre")
    return url


def make_projects(count: int) -> list[str]:
    from mesocentre.projects.models import Project
    from mesocentre.projects.naming import account_name
    from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme

    theme, _ = ScientificTheme.objects.get_or_create(code="fluids", defaults={"name": "Fluids"})
    univ = Establishment.objects.create(code="univ", name="University", kind="university")
    lab = Laboratory.objects.create(code="lab", name="Lab", theme=theme)
    lab.establishments.set([univ])
    Project.objects.bulk_create(
        Project(code=f"p{n:04d}", title=f"Project {n}", laboratory=lab, paying_establishment=univ, theme=theme,
                starts_on=datetime.date(2018, 1, 1))
        for n in range(count)
    )  # fmt: skip
    return [account_name(f"p{n:04d}") for n in range(count)]


def write_sacct(path: Path, n: int, accounts: list[str]) -> None:
    """``n`` ended jobs of 2018, one every 30 s or so, sacct's way (local times without an offset)."""
    rng = random.Random(13)
    start = datetime.datetime(2018, 1, 1)
    with open(path, "w") as out:
        out.write(HEADER + "\n")
        lines = []
        for job in range(1, n + 1):
            submit = start + datetime.timedelta(seconds=job * 30)
            began = submit + datetime.timedelta(seconds=rng.randrange(600))
            elapsed = rng.randrange(60, 86400)
            ended = began + datetime.timedelta(seconds=elapsed)
            account = accounts[job % len(accounts)] if job % 100 else "stranger"
            cpus = rng.choice((1, 4, 16, 32, 64, 128))
            tres = f"billing={cpus},cpu={cpus},mem={cpus * 4}G,node={max(1, cpus // 64)}"
            if job % 20 == 0:
                tres += ",gres/gpu=2,gres/gpu:v100=2"
            lines.append(f"{job}|meso|{account}|u{job % 997}|{submit:%Y-%m-%dT%H:%M:%S}|{began:%Y-%m-%dT%H:%M:%S}|"
                         f"{ended:%Y-%m-%dT%H:%M:%S}|{elapsed}|{tres}|COMPLETED\n")  # fmt: skip
            if len(lines) == 100_000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)


def raw_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute("DROP TABLE IF EXISTS bare")
        cursor.execute("CREATE UNLOGGED TABLE bare (" + ", ".join(f"c{i} text" for i in range(10)) + ")")
        cursor.execute("CHECKPOINT")
        begin = time.perf_counter()
        with cursor.copy("COPY bare FROM STDIN (FORMAT csv, DELIMITER '|', HEADER)") as copy:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 22):
                    copy.write(chunk)
        seconds = time.perf_counter() - begin
        cursor.execute("DROP TABLE bare")
    return seconds


def orm_loop(path: Path, sample: int) -> float:
    """Seconds per row of the obvious code: each line parsed in Python and saved by the ORM, one at a time."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from mesocentre.metering.models import UsageRecord
    from mesocentre.provisioning.slurm.client import parse_tres

    zone = ZoneInfo(settings.TIME_ZONE)
    when = lambda text: datetime.datetime.fromisoformat(text).replace(tzinfo=zone)  # noqa: E731
    with open(path) as handle:
        next(handle)
        lines = [next(handle) for _ in range(sample)]
    begin = time.perf_counter()
    for line in lines:
        job, _cluster, account, user, submit, start, end, elapsed, tres, _state = line.rstrip("\n").split("|")
        counts = parse_tres(tres)
        UsageRecord(source="slurm:orm-sample", external_id=job, submitted_at=when(submit), account=account,
                    user_login=user, started_at=when(start), ended_at=when(end), day=datetime.date.fromisoformat(end[:10]),
                    cpu_seconds=int(elapsed) * counts.get("cpu", 0), gpu_seconds=int(elapsed) * counts.get("gres/gpu", 0),
                    ).save()  # fmt: skip
    return (time.perf_counter() - begin) / sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="jobs in the sacct file")
    parser.add_argument("--sample", type=int, default=20_000, help="rows saved one by one by the ORM")
    parser.add_argument("--projects", type=int, default=500, help="projects whose accounts run the jobs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mesocentre-bench-usage-"))
    work.chmod(0o755)  # the server runs as the postgres user
    try:
        os.environ["MESOCENTRE_DATABASE_URL"] = start_postgres(work / "pg")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from mesocentre.metering.models import UsageRecord
        from mesocentre.metering.sacct import file_blocks, import_sacct

        call_command("migrate", interactive=False, verbosity=0)
        accounts = make_projects(args.projects)
        path = work / "sacct.txt"
        begin = time.perf_counter()
        write_sacct(path, args.n, accounts)
        size = path.stat().st_size
        print(f"{args.n:,} jobs, {size / 1e6:.0f} MB, written in {time.perf_counter() - begin:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            print(cursor.fetchone()[0].split(",")[0])

        copy_s = raw_copy(path)
        print(f"raw COPY into a bare table:          {copy_s:7.2f} s  ({args.n / copy_s:12,.0f} rows/s)")

        begin = time.perf_counter()
        report = import_sacct(file_blocks(path))
        import_s = time.perf_counter() - begin
        print(f"import-sacct, new jobs:              {import_s:7.2f} s  ({args.n / import_s:12,.0f} rows/s)"
              f"  imported {report.imported:,}, aside {report.aside:,}, refused {report.refused}")  # fmt: skip
        assert report.imported + report.aside == args.n and report.refused == 0, report.as_json()
        core_hours = sum(UsageRecord.objects.values_list("cpu_seconds", flat=True).iterator(chunk_size=50_000)) / 3600
        print(f"  {core_hours / 1e6:,.1f} M core-hours recorded")

        begin = time.perf_counter()
        again = import_sacct(file_blocks(path))
        again_s = time.perf_counter() - begin
        print(f"import-sacct again, all known:       {again_s:7.2f} s  ({args.n / again_s:12,.0f} rows/s)"
              f"  already known {again.known:,}")  # fmt: skip
        assert again.known == args.n

        per_row = orm_loop(path, min(args.sample, args.n))
        print(f"ORM saves, {min(args.sample, args.n):,}-row sample:        {per_row * 1e6:7.1f} µs a row "
              f"(→ {per_row * args.n:,.0f} s for {args.n:,})")  # fmt: skip
        print(f"import / raw COPY:  {import_s / copy_s:.2f}× the time  ({copy_s / import_s:.0%} of COPY's speed)")
        print(f"ORM loop / import:  {per_row * args.n / import_s:.0f}× the time")
        return 0
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop", str(work / "pg")], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
