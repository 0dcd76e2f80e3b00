"""Slurm jobs from sacct's accounting, recorded once each: a file (`mesocentre usage import-sacct`) or a live cluster
(`collect-slurm`, which hands sacct's rows to the same import).

The input is ``sacct --parsable2 --allusers --allocations --format=JobIDRaw,Cluster,Account,User,Submit,Start,End,
ElapsedRaw,AllocTRES,State`` with its header line; columns are found by name, in any order. A job is keyed by its
cluster, JobIDRaw and Submit; it counts once it has ended (End ``Unknown``: still running, left for a later import),
on the day it ended in the cluster's time zone (sacct prints local times without an offset). Core-seconds are
ElapsedRaw × AllocTRES's ``cpu=``, GPU-seconds ElapsedRaw × ``gres/gpu=`` (its typed twin ``gres/gpu:v100=`` is the
same GPUs, not counted again). A job of an account no project has is recorded aside: listed, never billed.

Lines are imported by batches, each in one transaction: a batch is written whole or not at all, and running the
same file again only finds its jobs already known, so an import cut short is finished by running it again.

On PostgreSQL the database does the work: each batch is ``COPY``-ed as raw lines into a temporary table, checked and
converted by one query that lists the bad lines, and recorded by one ``INSERT … SELECT … ON CONFLICT DO NOTHING``.
Elsewhere (the demo's SQLite) the same checks run in Python (``_check_line``), with the same reasons.
"""

from __future__ import annotations

import datetime
import itertools
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name

COLUMNS = ("JobIDRaw", "Cluster", "Account", "User", "Submit", "Start", "End", "ElapsedRaw", "AllocTRES", "State")
REQUIRED = ("JobIDRaw", "Account", "Submit", "End", "ElapsedRaw", "AllocTRES")
BATCH_LINES = 200_000

# What a line must look like; the SQL of the bulk path says the same (``_CHECKS``).
JOB_ID_RE = re.compile(r"\d{1,20}")
ELAPSED_RE = re.compile(r"\d{1,10}")  # 300 years: a product with a TRES count fits in 64 bits
COUNT_RE = re.compile(r"\d{1,7}")
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
CLUSTER_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # Slurm's ClusterName, as provisioning.slurm.names
NAME_MAX = 64  # account and user, as the record's columns
NOT_STARTED = ("", "Unknown", "None")

try:
    import psycopg

    DB_ERRORS: tuple[type[Exception], ...] = (DatabaseError, psycopg.Error)
except ImportError:  # pragma: no cover - SQLite without psycopg
    DB_ERRORS = (DatabaseError,)


class SacctFileError(Exception):
    """The file as a whole cannot be read (no header, a column missing, no cluster): nothing is imported."""


class BatchRefused(Exception):
    """The database refused a batch: none of its lines was written (the batches before it were)."""

    def __init__(self, first_line: int, last_line: int, error: Exception, report: ImportReport):
        self.first_line, self.last_line, self.error, self.report = first_line, last_line, error, report
        super().__init__(str(error))


@dataclass
class ImportReport:
    imported: int = 0  # new records of a project's account
    known: int = 0  # jobs already recorded (or twice in the file)
    aside: int = 0  # new records of an account no project has
    running: int = 0  # not ended yet: left for a later import
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def refused(self) -> int:
        return len(self.bad_lines)

    def as_json(self) -> dict:
        return {
            "imported": self.imported,
            "already_known": self.known,
            "kept_aside": self.aside,
            "refused": self.refused,
            "running": self.running,
            "bad_lines": [{"line": n, "reason": reason} for n, reason in self.bad_lines],
        }


def known_accounts() -> set[str]:
    """The Slurm account names of the platform's projects (``hpc`` names a project's account from its code)."""
    return {account_name(code) for code in Project.objects.values_list("code", flat=True)}


def _reason(problem: str, column: str = "", value: str = "", found: int = 0, expected: int = 0) -> str:
    if problem == "fields":
        return _("expected %(expected)s fields, found %(found)s") % {"expected": expected, "found": found}
    if problem == "job_id":
        return _("JobIDRaw is not a job id: %(value)r") % {"value": value}
    if problem == "elapsed":
        return _("ElapsedRaw is not a whole number of seconds: %(value)r") % {"value": value}
    if problem == "time":
        return _("%(column)s is not a date and time (YYYY-MM-DDThh:mm:ss): %(value)r") % {
            "column": column,
            "value": value,
        }
    if problem == "tres":
        return _("AllocTRES holds a count that is not a whole number: %(value)r") % {"value": value}
    if problem == "cluster":
        return _("Cluster is not a Slurm cluster name: %(value)r") % {"value": value}
    if problem == "no_cluster":
        return _("no cluster: the line's Cluster is empty and --cluster was not given")
    if problem == "name":
        return _("%(column)s is longer than %(max)s characters") % {"column": column, "max": NAME_MAX}
    return problem


def _valid_time(text: str) -> bool:
    if not TIME_RE.fullmatch(text):
        return False
    try:
        return datetime.datetime.fromisoformat(text).year >= 1970
    except ValueError:
        return False


def _tres_count(tres: str, name: str) -> str | None:
    """The text of ``name=``'s count in AllocTRES ('' when absent): ``gres/gpu`` alone, never ``gres/gpu:v100``."""
    for item in tres.split(","):
        key, _sep, value = item.partition("=")
        if key == name:
            return value
    return ""


@dataclass(frozen=True)
class Header:
    index: dict[str, int]  # column → position
    width: int

    @classmethod
    def parse(cls, line: str, cluster: str | None) -> Header:
        names = [name.strip() for name in line.rstrip("\r\n").split("|")]
        index: dict[str, int] = {}
        by_lower = {c.lower(): c for c in COLUMNS}
        for position, name in enumerate(names):
            column = by_lower.get(name.lower())
            if column is not None and column not in index:
                index[column] = position
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            raise SacctFileError(
                _("the header line has no %(columns)s column (it has: %(found)s)")
                % {"columns": ", ".join(missing), "found": ", ".join(names)}
            )
        if "Cluster" not in index and not cluster:
            raise SacctFileError(_("the file has no Cluster column: give --cluster"))
        return cls(index, len(names))


def _check_line(fields: list[str], header: Header, default_cluster: str) -> tuple[str, ...] | dict:
    """One line's problem as ``_reason``'s arguments, or its values (cluster, job id, account, user, submit, start,
    end, elapsed, cpu, gpu), as the bulk path's query checks and converts them."""
    if len(fields) != header.width:
        return {"problem": "fields", "found": len(fields), "expected": header.width}
    get = lambda column: fields[header.index[column]] if column in header.index else ""  # noqa: E731
    cluster = get("Cluster") or default_cluster
    if not cluster:
        return {"problem": "no_cluster"}
    if not CLUSTER_RE.fullmatch(cluster):
        return {"problem": "cluster", "value": cluster}
    if not JOB_ID_RE.fullmatch(get("JobIDRaw")):
        return {"problem": "job_id", "value": get("JobIDRaw")}
    for column in ("Account", "User"):
        if len(get(column)) > NAME_MAX:
            return {"problem": "name", "column": column}
    for column in ("Submit", "Start", "End"):
        value = get(column)
        if column == "Start" and value in NOT_STARTED or column == "End" and value == "Unknown":
            continue
        if not _valid_time(value):
            return {"problem": "time", "column": column, "value": value}
    if not ELAPSED_RE.fullmatch(get("ElapsedRaw")):
        return {"problem": "elapsed", "value": get("ElapsedRaw")}
    cpu, gpu = _tres_count(get("AllocTRES"), "cpu"), _tres_count(get("AllocTRES"), "gres/gpu")
    for count in (cpu, gpu):
        if count and not COUNT_RE.fullmatch(count):
            return {"problem": "tres", "value": get("AllocTRES")}
    return (cluster, get("JobIDRaw"), get("Account"), get("User"), get("Submit"), get("Start"), get("End"),
            int(get("ElapsedRaw")), int(cpu or 0), int(gpu or 0))  # fmt: skip


def _batches(blocks: Iterable[str], size: int) -> Iterator[tuple[int, str]]:
    """(number of the batch's first line, its text) from text ``blocks`` that end on a line's end, ``size`` lines at
    a time (the last fewer). The header is line 1, never in a batch."""
    pending: list[str] = []
    count = 0
    first = 2
    for block in blocks:
        if not block:
            continue
        if not block.endswith("\n"):
            block += "\n"
        lines = block.count("\n")
        while count + lines >= size:  # the batch ends inside this block: cut it after its (size - count)th line
            cut = -1
            for _n in range(size - count):
                cut = block.index("\n", cut + 1)
            pending.append(block[: cut + 1])
            yield first, "".join(pending)
            first, pending, count = first + size, [], 0
            block = block[cut + 1 :]
            lines = block.count("\n")
        if block:
            pending.append(block)
            count += lines
    if pending:
        yield first, "".join(pending)


def _split_header(blocks: Iterable[str]) -> tuple[str | None, Iterator[str]]:
    """The first line of ``blocks`` and the blocks that follow it. A file whose first line is blank has no header."""
    blocks = iter(blocks)
    head = ""
    for block in blocks:
        head += block
        if "\n" in head:
            break
    line, _sep, rest = head.partition("\n")
    return (line.rstrip("\r") or None), itertools.chain([rest], blocks)


def import_sacct(
    blocks: Iterable[str],
    *,
    cluster: str | None = None,
    time_zone: str | None = None,
    batch_lines: int = BATCH_LINES,
    bulk: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Record the ended jobs of sacct's output, given as text ``blocks`` that each end on a line's end (a file read
    by ``file_blocks``, or ``sacct_text``), its header line first. ``cluster``: the cluster of lines without a Cluster
    value; ``time_zone``: the cluster's (default: the platform's); ``bulk``: PostgreSQL's COPY path (default: on
    PostgreSQL). ``progress`` is called with the number of the last line done after each batch.
    Raises ``SacctFileError`` when the file cannot be read at all (nothing imported), ``BatchRefused`` when the
    database refused a batch (none of it written; the report says what the batches before it did)."""
    zone = zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    head, rest = _split_header(blocks)
    if head is None or not head.strip():
        raise SacctFileError(_("the file does not start with sacct's header line"))
    header = Header.parse(head, cluster)
    if bulk is None:
        bulk = connection.vendor == "postgresql"
    report = ImportReport()
    accounts = known_accounts()
    legacy = UsageRecord.objects.filter(submit_known=False).exists()
    for first, text in _batches(rest, batch_lines):
        lines = text.count("\n")
        try:
            with transaction.atomic():
                if bulk:
                    _bulk_batch(text, first, header, cluster or "", zone, accounts, legacy, report)
                else:
                    _python_batch(text, first, header, cluster or "", zone, accounts, legacy, report)
        except DB_ERRORS as exc:  # the database's refusal: the batch rolled back whole
            raise BatchRefused(first, first + lines - 1, exc, report) from exc
        if progress is not None:
            progress(first + lines - 1)
    return report


# ---- Elsewhere than PostgreSQL: the same checks in Python, and the ORM.


def _python_batch(text, first, header, default_cluster, zone, accounts, legacy, report) -> None:
    records: dict[tuple[str, str, datetime.datetime], UsageRecord] = {}
    bad: list[tuple[int, str]] = []
    ended = 0
    for offset, line in enumerate(text.split("\n")[:-1]):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        checked = _check_line(line.split("|"), header, default_cluster)
        if isinstance(checked, dict):
            bad.append((first + offset, _reason(**checked)))
            continue
        cluster, job_id, account, user, submit, start, end, elapsed, cpu, gpu = checked
        if end == "Unknown":
            report.running += 1
            continue
        ended += 1
        local = lambda text: datetime.datetime.fromisoformat(text).replace(tzinfo=zone)  # noqa: E731
        record = UsageRecord(
            source=f"slurm:{cluster}", external_id=job_id, submitted_at=local(submit), account=account,
            user_login=user, started_at=None if start in NOT_STARTED else local(start), ended_at=local(end),
            day=datetime.date.fromisoformat(end[:10]), cpu_seconds=elapsed * cpu, gpu_seconds=elapsed * gpu,
            aside=account not in accounts,
        )  # fmt: skip
        records.setdefault((record.source, record.external_id, record.submitted_at), record)
    known = set()
    by_source: dict[str, set[str]] = {}
    for source, job_id, _submitted in records:
        by_source.setdefault(source, set()).add(job_id)
    for source, ids in by_source.items():
        ids = sorted(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            existing = UsageRecord.objects.filter(source=source, external_id__in=chunk)
            for job_id, submitted, submit_known, ended_at in existing.values_list(
                "external_id", "submitted_at", "submit_known", "ended_at"
            ):
                known.add((source, job_id, submitted))
                if not submit_known:  # collected before the key had the submit time: the same id and end
                    known.update(
                        key for key, r in records.items() if key[:2] == (source, job_id) and r.ended_at == ended_at
                    )
    new = [record for key, record in records.items() if key not in known]
    UsageRecord.objects.bulk_create(new, batch_size=1000)
    report.bad_lines.extend(bad)
    report.aside += sum(r.aside for r in new)
    report.imported += sum(not r.aside for r in new)
    report.known += ended - len(new)


# ---- PostgreSQL: COPY the raw lines, check and convert them in SQL, one INSERT … ON CONFLICT DO NOTHING.

# OFFSET 0 keeps PostgreSQL from pulling the subqueries up, which would split each line again for every column.
# The line's fields, by position (filled in per file), and each check in the order _check_line makes them: the first
# that fails is the line's problem. sacct_time_ok is _valid_time (a date that exists, from 1970 on).
_TIME_OK = """
CREATE OR REPLACE FUNCTION pg_temp.sacct_time_ok(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
SELECT CASE
  WHEN t !~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' THEN false
  WHEN substr(t, 1, 4)::int < 1970 OR substr(t, 6, 2)::int NOT BETWEEN 1 AND 12 THEN false
  ELSE substr(t, 9, 2)::int BETWEEN 1 AND extract(day FROM make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1)
                                                           + interval '1 month - 1 day')::int
       AND substr(t, 12, 2)::int <= 23 AND substr(t, 15, 2)::int <= 59 AND substr(t, 18, 2)::int <= 59
END $$
"""

_FIELDS = """
SELECT n, f, cardinality(f) AS found,
       coalesce(nullif({cluster}, ''), %(default_cluster)s) AS cluster,
       {job_id} AS job_id, {account} AS account, {user} AS "user", {submit} AS submit, {start} AS start,
       {end} AS "end", {elapsed} AS elapsed, {tres} AS tres,
       coalesce(substring({tres} FROM '(?:^|,)cpu=([^,]*)'), '') AS cpu,
       coalesce(substring({tres} FROM '(?:^|,)gres/gpu=([^,]*)'), '') AS gpu
FROM (SELECT n, string_to_array(line, '|') AS f FROM sacct_lines WHERE btrim(line) <> '' OFFSET 0) s
OFFSET 0
"""

_PROBLEM = r"""
CASE
  WHEN found <> %(width)s THEN 'fields'
  WHEN cluster = '' THEN 'no_cluster'
  WHEN cluster !~ '^[a-z][a-z0-9_]{0,39}$' THEN 'cluster'
  WHEN job_id !~ '^\d{1,20}$' THEN 'job_id'
  WHEN length(account) > 64 THEN 'name:Account'
  WHEN length("user") > 64 THEN 'name:User'
  WHEN NOT pg_temp.sacct_time_ok(submit) THEN 'time:Submit'
  WHEN start NOT IN ('', 'Unknown', 'None') AND NOT pg_temp.sacct_time_ok(start) THEN 'time:Start'
  WHEN "end" <> 'Unknown' AND NOT pg_temp.sacct_time_ok("end") THEN 'time:End'
  WHEN elapsed !~ '^\d{1,10}$' THEN 'elapsed'
  WHEN cpu !~ '^\d{0,7}$' OR gpu !~ '^\d{0,7}$' THEN 'tres'
END
"""

# Each line split, checked and its fields cut once, into a temporary table the next two queries read.
_CHECKED = f"""
CREATE TEMP TABLE sacct_checked AS
SELECT n, problem, found, cluster, job_id, account, "user", submit, start, "end", elapsed, tres, cpu, gpu
FROM (SELECT *, {_PROBLEM} AS problem FROM ({_FIELDS}) fields OFFSET 0) checked
"""

# The bad lines, and the good ones still running (problem NULL): both few, read into Python.
_BAD = """
SELECT n, problem, found,
       CASE problem WHEN 'cluster' THEN cluster WHEN 'job_id' THEN job_id WHEN 'elapsed' THEN elapsed
                    WHEN 'time:Submit' THEN submit WHEN 'time:Start' THEN start WHEN 'time:End' THEN "end"
                    WHEN 'tres' THEN tres END
FROM sacct_checked WHERE problem IS NOT NULL OR "end" = 'Unknown' ORDER BY n
"""

_INSERT = """
INSERT INTO metering_usagerecord (source, external_id, submitted_at, submit_known, account, user_login, started_at,
                                  ended_at, day, cpu_seconds, gpu_seconds, aside, collected_at)
SELECT 'slurm:' || cluster, job_id, submit::timestamp AT TIME ZONE %(zone)s, true, account, "user",
       CASE WHEN start IN ('', 'Unknown', 'None') THEN NULL ELSE start::timestamp AT TIME ZONE %(zone)s END,
       "end"::timestamp AT TIME ZONE %(zone)s, substr("end", 1, 10)::date,
       elapsed::bigint * coalesce(nullif(cpu, '')::bigint, 0), elapsed::bigint * coalesce(nullif(gpu, '')::bigint, 0),
       NOT EXISTS (SELECT 1 FROM sacct_accounts a WHERE a.account = ok.account), now()
FROM sacct_checked ok
WHERE problem IS NULL AND "end" <> 'Unknown' {legacy}
ON CONFLICT (source, external_id, submitted_at) DO NOTHING
RETURNING aside
"""

# Records collected before the key had the submit time: the same job is the same id with the same end.
_LEGACY = """
AND NOT EXISTS (SELECT 1 FROM metering_usagerecord u WHERE NOT u.submit_known AND u.source = 'slurm:' || ok.cluster
                  AND u.external_id = ok.job_id AND u.ended_at = "end"::timestamp AT TIME ZONE %(zone)s)
"""


def _sql(template: str, header: Header) -> str:
    def column(name: str) -> str:
        return f"coalesce(f[{header.index[name] + 1}], '')" if name in header.index else "''"

    for name, column_name in (("cluster", "Cluster"), ("job_id", "JobIDRaw"), ("account", "Account"),
                              ("user", "User"), ("submit", "Submit"), ("start", "Start"), ("end", "End"),
                              ("elapsed", "ElapsedRaw"), ("tres", "AllocTRES")):  # fmt: skip
        template = template.replace("{" + name + "}", column(column_name))
    return template


def _sanitised(text: str) -> bytes:
    """The batch as COPY's CSV input of one column: a delimiter and a quote that sacct never prints, and no byte
    PostgreSQL's text cannot hold (nor a carriage return, which CSV would take for a line's end)."""
    for byte in ("\x00", "\x01", "\x02", "\r"):
        if byte in text:
            text = text.replace(byte, "")
    return text.encode("utf-8", errors="replace")


def _bulk_batch(text, first, header, default_cluster, zone, accounts, legacy, report) -> None:
    params = {"default_cluster": default_cluster, "width": header.width, "zone": zone.key}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sacct_lines (n bigint GENERATED BY DEFAULT AS IDENTITY, line text)"
        )
        cursor.execute("TRUNCATE sacct_lines")
        cursor.execute(f"ALTER TABLE sacct_lines ALTER COLUMN n RESTART WITH {int(first)}")
        with cursor.copy("COPY sacct_lines (line) FROM STDIN (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')") as copy:
            copy.write(_sanitised(text))
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS sacct_accounts (account text PRIMARY KEY)")
        cursor.execute("TRUNCATE sacct_accounts")
        if accounts:
            with cursor.copy("COPY sacct_accounts (account) FROM STDIN") as copy:
                for account in accounts:
                    copy.write_row((account,))
        cursor.execute(_TIME_OK)
        cursor.execute("DROP TABLE IF EXISTS sacct_checked")
        cursor.execute(_sql(_CHECKED, header), params)
        cursor.execute(_BAD)
        nonblank_bad = running = 0
        for n, problem, found, value in cursor.fetchall():
            if problem is None:
                running += 1
                continue
            nonblank_bad += 1
            kind, _sep, column = problem.partition(":")
            report.bad_lines.append(
                (n, _reason(kind, column=column, value=value or "", found=found, expected=header.width))
            )
        cursor.execute(_INSERT.replace("{legacy}", _LEGACY if legacy else ""), params)
        asides = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM sacct_checked")
        (lines,) = cursor.fetchone()
        cursor.execute("DROP TABLE sacct_checked")
    ended = lines - nonblank_bad - running
    report.running += running
    report.aside += sum(asides)
    report.imported += len(asides) - sum(asides)
    report.known += ended - len(asides)


def file_blocks(path, size: int = 1 << 22, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """A file as text blocks of about ``size`` bytes that end on a line's end (UTF-8; a byte that is not becomes
    U+FFFD and the line is checked as it reads). ``progress`` is told the bytes read so far."""
    done = 0
    carry = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(size):
            done += len(chunk)
            chunk = carry + chunk
            cut = chunk.rfind(b"\n") + 1
            carry = chunk[cut:]
            if cut:
                yield chunk[:cut].decode("utf-8", errors="replace")
            if progress is not None:
                progress(done)
    if carry:
        yield carry.decode("utf-8", errors="replace")


def sacct_text(rows: Iterable[list[str]], columns: Iterable[str]) -> Iterator[str]:
    """sacct's rows (``-P -n``) as one block of a file with its header, for ``import_sacct``."""
    yield "\n".join(["|".join(columns), *("|".join(row) for row in rows)]) + "\n"


__all__ = ["BatchRefused", "ImportReport", "SacctFileError", "file_blocks", "import_sacct", "sacct_text"]
