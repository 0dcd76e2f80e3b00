"""Load benchmark of the portal against stock ColdFront 1.1.10, on ColdFront's benchmark data shape, back to back.

    python bench/portal_load.py [--projects 10000] [--duration 30s] [--connections 8] [--conn-max-age 0,60]
        [--rounds 1] [--skip-coldfront] [--reset] [--keep-db] [--dir DIR] [--coldfront-dir DIR]

Starts a private PostgreSQL (scripts/postgres.sh, port 26432), migrates a database and fills it with ColdFront's
shape (bench/portal_data.py: 10 000 projects, 40 000 users, 20 000 allocations, 100 000 usage records), serves the
portal with gunicorn (2 sync workers, mesocentre.settings_production, DEBUG off, collected static files), logs in as
an operator through the login form, checks every page of ``PAGES`` (200, real content, before and after the load),
then runs wrk on each (1 thread, 8 connections, 3 s warm-up + 30 s). For each CONN_MAX_AGE of ``--conn-max-age``
(0: ColdFront's stock; 60: the portal's production default) the portal runs first, then ColdFront's own harness
(../shared/bench/coldfront/) with the same value, and a table gives the ratios. SQL queries per page (Django's test
client, outside the load) explain what bounds them. Every server started is stopped at the end, even on failure.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import portal_coldfront  # noqa: E402
import portal_data  # noqa: E402
from portal_http import OWN_ROOTS, Page, check, login, wrk  # noqa: E402

# The pages measured: (name, path, markers, API?, ColdFront's page it is compared with). {sample}: the measured
# project's code; {first}: the first project's, the first row of every list. {hpc}: where the allocations live,
# "projects" before the split of the HPC models into mesocentre.hpc, "hpc" after (hpc_app below).
PAGES = [
    ("project list", "/projects/", ["{first}", "{first_title}", "Page 1 of {project_pages}"], False, "project list"),
    ("project page", "/projects/{sample}/", ["{sample}", "{sample_title}", "{sample_pi}", "mesocentre"], False,
     "project detail"),
    ("allocation list", "/{hpc}/allocations/", ["{first}", "mesocentre", "Page 1 of {allocation_pages}"], False,
     "allocation list"),
    ("API project list", "/api/projects/projects/", ['"count":{projects}', "{first}"], True, "project list"),
    ("API allocation list", "/api/{hpc}/allocations/", ['"count":{allocations}', '"cluster":"mesocentre"'], True,
     "allocation list"),
]  # fmt: skip
PG_PORT = 26432  # the test suite's PostgreSQL is on 25432
PORT = 8766  # ColdFront's harness serves on 8765
WORKERS = 2
GOAL_RATIO, GOAL_P99_MS = 5.0, 150.0


def hpc_app() -> str:
    """The app the allocations live in (its URL prefix), once the settings are loaded."""
    from django.apps import apps

    return "hpc" if apps.is_installed("mesocentre.hpc") else "projects"


def pages_for(n: int) -> list[Page]:
    i = portal_data.sample(n)
    values = {
        "first": portal_data.code(1), "first_title": portal_data.title(1), "sample": portal_data.code(i),
        "sample_title": portal_data.title(i), "sample_pi": portal_data.pi(i), "projects": n,
        "allocations": 2 * n, "project_pages": -(-n // 25), "allocation_pages": -(-2 * n // 25), "hpc": hpc_app(),
    }  # fmt: skip
    return [
        Page(name, path.format(**values), [m.format(**values) for m in markers], api)
        for name, path, markers, api, _ in PAGES
    ]


def start_postgres(directory: Path, reset: bool) -> str:
    out = subprocess.run([str(ROOT / "scripts/postgres.sh"), "start", str(directory), str(PG_PORT)],
                         check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=postgres", autocommit=True) as db:
        if reset:
            db.execute("DROP DATABASE IF EXISTS mesocentre")
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = 'mesocentre'").fetchone():
            db.execute("CREATE DATABASE mesocentre")
    OWN_ROOTS.append(int((directory / "data" / "postmaster.pid").read_text().split()[0]))
    return out


def server_env(directory: Path, url: str, conn_max_age: int) -> dict[str, str]:
    secret = directory / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(50))  # fixed across runs: a session outlives a restart
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mesocentre.settings_production",
        "MESOCENTRE_SECRET_KEY": secret.read_text().strip(),
        "MESOCENTRE_DATABASE_URL": url,
        "MESOCENTRE_DB_CONN_MAX_AGE": str(conn_max_age),
        "MESOCENTRE_SSL_REDIRECT": "0",  # plain http on the loopback; TLS would be the proxy's
        "MESOCENTRE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MESOCENTRE_STATIC_ROOT": str(directory / "static"),
        "MESOCENTRE_LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def prepare(directory: Path, url: str, n: int, password: str) -> None:
    """Migrate, build the data set if it is not there, collect the static files (in this process)."""
    os.environ.update(server_env(directory, url, 0))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if portal_data.present(n):
        print(f"data set already there ({n} projects)")
    else:
        print(f"building the data set ({n} projects)", flush=True)
        portal_data.build(n, password, datetime.date.today())
    call_command("collectstatic", interactive=False, verbosity=0)
    print("data:", portal_data.counts(), flush=True)


class Gunicorn:
    def __init__(self, directory: Path, url: str, conn_max_age: int):
        self.log = directory / f"gunicorn-{conn_max_age}.log"
        command = [str(Path(sys.executable).with_name("gunicorn")), "mesocentre.wsgi:application",
                   "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--worker-class", "sync",
                   "--timeout", "60", "--no-control-socket", "--error-logfile", str(self.log)]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=server_env(directory, url, conn_max_age))
        from portal_http import get

        for _ in range(120):
            try:
                if get(PORT, "/login/", {})[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn did not answer 200 on /login/; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def measure(args, directory: Path, url: str, conn_max_age: int, pages: list[Page], token: str, run_dir: Path):
    print(f"\n== Mesocentre, CONN_MAX_AGE={conn_max_age}", flush=True)
    server = Gunicorn(directory, url, conn_max_age)
    try:
        auth = {"page": {"Cookie": login(PORT, portal_data.OPERATOR, args.password)},
                "api": {"Authorization": f"Token {token}"}}  # fmt: skip
        if not check(PORT, pages, auth, repeat=10):
            raise SystemExit("a page is not what it should be (see BAD above)")
        for page in pages:
            slug = re.sub(r"\W+", "_", page.name)
            header = auth["api" if page.api else "page"]
            wrk(
                PORT,
                page,
                header,
                args.connections,
                args.duration,
                args.warmup,
                run_dir / f"wrk-{conn_max_age}-{slug}-{time.strftime('%H%M%S')}.txt",
                {"gunicorn": server.process.pid, "postgres": OWN_ROOTS[1]},
            )
        print("  re-check after the load:")
        if not check(PORT, pages, auth, repeat=1):
            raise SystemExit("a page went wrong under load (see BAD above)")
    finally:
        server.stop()
    return {page.name: {**page.result, "serial_ms": page.serial_ms, "size": page.size} for page in pages}


def query_counts(pages: list[Page]) -> dict[str, tuple[int, int, float]]:
    """page → (queries, writes, ms in the database) of one request through Django's test client, after a first one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(portal_data.models().User.objects.get(username=portal_data.OPERATOR))
    found = {}
    for page in pages:
        client.get(page.path)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(page.path).status_code
        sql = [q["sql"] for q in queries.captured_queries]
        writes = sum(1 for q in sql if q.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"})
        assert status == 200, f"{page.path}: HTTP {status}"
        found[page.name] = (len(sql), writes, sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    return found


def table(ours: dict, theirs: dict | None, queries: dict, conn_max_age: int) -> str:
    lines = [f"CONN_MAX_AGE={conn_max_age}  (wrk 1 thread, connections and duration as above; ColdFront 1.1.10 stock)",
             f"{'page':<20} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'serial':>7} {'queries':>7} {'CPU ms':>9} "
             f"{'| ColdFront page':<17} {'req/s':>6} {'p99 ms':>7} {'queries':>7} {'| ratio':>7}"]  # fmt: skip
    for name, *_, theirs_name in PAGES:
        r, q = ours[name], queries.get(name, ("?",))
        cf = (theirs or {}).get(theirs_name)
        right = (f"| {theirs_name:<15} {cf['rps']:>6.1f} {cf['p99_ms']:>7.0f} {cf.get('queries', '?'):>7} "
                 f"| {r['rps'] / cf['rps']:>5.2f}×") if cf else "| (not run)"  # fmt: skip
        cpu = f"{r['cpu_gunicorn']:.0f}+{r['cpu_postgres']:.0f}"
        lines.append(f"{name:<20} {r['rps']:>7.1f} {r['p50_ms']:>7.0f} {r['p99_ms']:>7.0f} {r['serial_ms']:>7.1f} "
                     f"{q[0]:>7} {cpu:>9} {right}")  # fmt: skip
    bad = sum(r["errors"] for r in ours.values())
    lines.append(f"non-200 responses and socket errors: {bad:.0f}; goal: {GOAL_RATIO:.0f}× ColdFront, p99 < "
                 f"{GOAL_P99_MS:.0f} ms; CPU ms: the portal's gunicorn + PostgreSQL per request, under load")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--duration", default="30s", help="wrk's measured run per page (default 30s)")
    parser.add_argument("--warmup", default="3s")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--conn-max-age", default="0,60", help="CONN_MAX_AGE values, both sides (default 0,60)")
    parser.add_argument("--rounds", type=int, default=1, help="times the whole comparison is run (default 1)")
    parser.add_argument("--skip-coldfront", action="store_true")
    parser.add_argument("--reset", action="store_true", help="drop the portal's database first")
    parser.add_argument("--keep-db", action="store_true", help="leave the portal's PostgreSQL running")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "mesocentre-bench")
    parser.add_argument("--coldfront-dir", type=Path, default=Path(tempfile.gettempdir()) / "cfbench")
    parser.add_argument("--coldfront-harness", type=Path, default=portal_coldfront.HARNESS)
    parser.add_argument("--password", default="bench-operator-pass", help="the operator's (default: fixed)")
    args = parser.parse_args()
    ages = [int(v) for v in args.conn_max_age.split(",")]
    directory = args.dir.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    run_dir = directory / "results" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True)
    # SIGTERM or SIGHUP end the run through the finally below, like Ctrl-C does.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: sys.exit(143))
    pg = directory / "pg"
    try:
        url = start_postgres(pg, args.reset)
        print(f"portal's PostgreSQL: {url} (data in {pg})", flush=True)
        prepare(directory, url, args.projects, args.password)
        pages = pages_for(args.projects)
        token = portal_data.operator_token()
        queries = query_counts(pages)
        results = []
        for _round, age in ((r, a) for r in range(args.rounds) for a in ages):
            ours = measure(args, directory, url, age, pages, token, run_dir)
            theirs = None
            if not args.skip_coldfront:
                print(f"\n== ColdFront 1.1.10, CONN_MAX_AGE={age} (its harness, {args.coldfront_harness})", flush=True)
                theirs = portal_coldfront.run(args.coldfront_harness, args.coldfront_dir.resolve(), age,
                                              args.connections, args.duration, args.projects,
                                              run_dir / "coldfront.log")  # fmt: skip
            results.append(table(ours, theirs, queries, age))
        report = [f"Mesocentre vs ColdFront  {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M UTC}  "
                  f"{os.cpu_count()} CPUs  {args.projects} projects  wrk -t1 -c{args.connections} -d{args.duration}",
                  *results, "SQL per request (test client): "
                  + ", ".join(f"{k} {q} queries ({w} writes, {ms:.0f} ms)" for k, (q, w, ms) in queries.items())]  # fmt: skip
        text = "\n\n".join(report)
        (run_dir / "summary.txt").write_text(text + "\n")
        print("\n" + text + f"\n\nraw wrk output and summary: {run_dir}")
    finally:
        if not args.keep_db:
            subprocess.run([str(ROOT / "scripts/postgres.sh"), "stop", str(pg)], capture_output=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
