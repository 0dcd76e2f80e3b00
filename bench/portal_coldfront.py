"""The ColdFront 1.1.10 side of bench/portal_load.py: its own harness (../shared/bench/coldfront/: setup.sh, serve.sh,
load.sh, stop.sh), run as it is, with the same connections, duration and CONN_MAX_AGE, and its summary parsed."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "coldfront"
# Ports of this run's ColdFront, not the harness's defaults (8765, 55432): another run of the harness on the machine
# would have them.
PORT, PG_PORT = 8767, 55433
ROW = re.compile(
    r"^(project list|project detail|allocation list)\s+(\S+)\s+(\d+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+"
    r"([\d.]+)\s+(\d+)\s*$"
)
QUERIES = re.compile(r"^\s+(project list|project detail|allocation list)\s+HTTP (\d+)\s+(\d+) queries")


def environment(directory: Path, conn_max_age: int, connections: int, duration: str, projects: int) -> dict:
    return {
        **os.environ,
        "CFB_DIR": str(directory),
        "CFB_CONN_MAX_AGE": str(conn_max_age),
        "CFB_CONNS": str(connections),
        "CFB_DURATION": duration,
        "CFB_PROJECTS": str(projects),
        "CFB_PORT": str(PORT),
        "CFB_PGPORT": str(PG_PORT),
    }


def run(harness: Path, directory: Path, conn_max_age: int, connections: int, duration: str, projects: int, log: Path):
    """Set up (idempotent), serve, load, stop. Returns {page: {rps, p50_ms, p99_ms, non200, serial_ms, queries}}."""
    env = environment(directory, conn_max_age, connections, duration, projects)
    pages: dict[str, dict] = {}
    with log.open("a") as out:

        def step(script: str, *args: str, echo: bool = False) -> str:
            done = subprocess.run(["bash", str(harness / script), *args], env=env, capture_output=True, text=True)
            out.write(done.stdout + done.stderr)
            if echo:
                print("\n".join("    " + line for line in done.stdout.splitlines()), flush=True)
            if done.returncode:
                raise SystemExit(f"ColdFront {script} failed ({done.returncode}); see {log}")
            return done.stdout

        step("setup.sh")
        try:
            step("serve.sh")
            summary = step("load.sh", echo=True)
        finally:
            step("stop.sh")
    for line in summary.splitlines():
        if match := ROW.match(line):
            name, _, size, serial, requests, rps, p50, p99, bad = match.groups()
            pages[name] = {"rps": float(rps), "p50_ms": float(p50), "p99_ms": float(p99), "errors": int(bad),
                           "serial_ms": float(serial), "size": int(size)}  # fmt: skip
        elif (match := QUERIES.match(line)) and match.group(1) in pages:
            pages[match.group(1)]["queries"] = int(match.group(3))
    if len(pages) != 3:
        raise SystemExit(f"could not read ColdFront's summary; see {log}")
    return pages
