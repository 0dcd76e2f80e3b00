"""HTTP side of bench/portal_load.py: the portal's login form, the content check of each page, wrk, the CPU taken by
other processes during a run. Standard library only (the secure session cookie is read from Set-Cookie by hand:
production sets SESSION_COOKIE_SECURE, so a cookie jar would not send it back over plain http, as ColdFront's
check.py notes too)."""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPORT_LUA = Path(__file__).with_name("report.lua")
OWN_ROOTS: list[int] = [os.getpid()]  # this script (gunicorn and wrk are its children); the PostgreSQL it started


@dataclass
class Page:
    name: str
    path: str
    markers: list[str]
    api: bool = False  # sent with the API token instead of the session cookie
    size: int = 0
    serial_ms: float = 0.0
    result: dict = field(default_factory=dict)


def get(port: int, path: str, headers: dict[str, str], method: str = "GET", body: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def cookies_of(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key.strip()] = rest.split(";", 1)[0]
    return found


def login(port: int, username: str, password: str) -> str:
    """The Cookie header of a session opened through the login form (CSRF token included)."""
    from urllib.parse import urlencode

    status, headers, body = get(port, "/login/", {})
    csrf = cookies_of(headers).get("csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not csrf or not token:
        raise SystemExit(f"login form: HTTP {status}, csrftoken={csrf!r}")
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)})
    status, headers, _ = get(
        port, "/login/", {"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST", body=form,
    )  # fmt: skip
    session = cookies_of(headers).get("sessionid")
    if status != 302 or not session:
        raise SystemExit(f"login failed: HTTP {status}, sessionid={session!r}")
    return f"sessionid={session}; csrftoken={csrf}"


def check(port: int, pages: list[Page], auth: dict[str, dict[str, str]], repeat: int) -> bool:
    """Each page answers 200 with its markers and is not the login form; with ``repeat`` > 1 the median time of that
    many sequential requests (no other load) is kept as ``serial_ms``."""
    ok = True
    for page in pages:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            status, _, body = get(port, page.path, auth["api" if page.api else "page"])
            times.append((time.perf_counter() - started) * 1000)
        missing = [m for m in page.markers if m not in body]
        good = status == 200 and not missing and 'name="password"' not in body
        ok &= good
        if repeat > 1:
            page.size, page.serial_ms = len(body.encode()), statistics.median(times)
        print(
            f"  {'OK ' if good else 'BAD'} {page.name:<22s} {page.path:<40s} HTTP {status} {len(body.encode()):>7d} B"
            + (f"  serial median {page.serial_ms:6.1f} ms" if repeat > 1 else "")
            + (f"  missing={missing}" if missing else ""),
            flush=True,
        )
    return ok


def process_cpu() -> dict[int, tuple[str, int, int, int]]:
    """pid → (command, parent pid, its CPU ticks so far, those of its children it reaped) of every process."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found[int(entry.name)] = (
            comm,
            int(fields[1]),
            int(fields[11]) + int(fields[12]),
            int(fields[13]) + int(fields[14]),
        )
    return found


def ours(processes: dict, roots: list[int] = OWN_ROOTS) -> set[int]:
    """The pids of ``roots`` and their descendants."""
    mine, grown = set(roots), True
    while grown:
        more = {pid for pid, (_, parent, *_) in processes.items() if parent in mine} - mine
        mine |= more
        grown = bool(more)
    return mine


def foreign_load(before: dict, after: dict, seconds: float) -> str:
    """The other processes that took 10 % of a core or more between two ``process_cpu()``, e.g. 'pytest~80%'."""
    ticks = os.sysconf("SC_CLK_TCK")
    by_name: dict[str, float] = {}
    mine = ours(after)
    for pid, (comm, _, used, _) in after.items():
        if pid not in mine:
            by_name[comm] = (
                by_name.get(comm, 0.0) + (used - before.get(pid, (comm, 0, 0, 0))[2]) / ticks / seconds * 100
            )
    return " ".join(f"{name}~{share:.0f}%" for name, share in sorted(by_name.items()) if share >= 10)


def tree_ticks(processes: dict, root: int) -> int:
    """CPU ticks of ``root`` and its descendants, those that ended included: a PostgreSQL backend of one request
    (CONN_MAX_AGE=0) is gone by the end of the run, and its time is its parent's reaped children's by then."""
    return sum(own + reaped for pid, (_, _, own, reaped) in processes.items() if pid in ours(processes, [root]))


def machine_busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def wrk(port, page: Page, header: dict[str, str], connections: int, duration: str, warmup: str, out: Path, servers):
    """A warm-up run, then the measured one with the Lua report; the RESULT line goes into ``page.result``, with the
    CPU milliseconds per request of each of ``servers`` (name → pid of its root process)."""
    url = f"http://127.0.0.1:{port}{page.path}"
    headers = [arg for name, value in header.items() for arg in ("-H", f"{name}: {value}")]
    base = ["wrk", "-t1", f"-c{connections}", "--timeout", "30s", *headers]
    subprocess.run([*base, f"-d{warmup}", url], check=True, capture_output=True)
    busy0, cpu0, started = machine_busy(), process_cpu(), time.perf_counter()
    run = subprocess.run([*base, f"-d{duration}", "--latency", "-s", str(REPORT_LUA), url], check=True,
                         capture_output=True, text=True)  # fmt: skip
    seconds, busy1 = time.perf_counter() - started, machine_busy()
    out.write_text(run.stdout)
    line = next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))
    result = {key: float(value) for key, value in (item.split("=") for item in line.split()[1:])}
    result["errors"] = sum(result[k] for k in ("non200", "err_connect", "err_read", "err_write", "err_timeout"))
    result["busy"] = 100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
    cpu1 = process_cpu()
    result["foreign"] = foreign_load(cpu0, cpu1, seconds)
    per_request = 1000 / os.sysconf("SC_CLK_TCK") / max(1.0, result["requests"])
    for name, root in servers.items():
        result[f"cpu_{name}"] = (tree_ticks(cpu1, root) - tree_ticks(cpu0, root)) * per_request
    page.result = result
    print(
        f"  {page.name:<22s} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f}"
        f" ms  non-200/errors {result['errors']:.0f}  CPU busy {result['busy']:.0f}%  CPU/request "
        + " ".join(f"{name} {result[f'cpu_{name}']:.1f} ms" for name in servers)
        + (f"  WARNING foreign load: {result['foreign']}" if result["foreign"] else ""),
        flush=True,
    )
