"""A thin, safe client over Slurm's own command-line tools (sacctmgr, sacct, squeue, sbatch).

Every command runs from an argument list, never through a shell, with ``SLURM_CONF`` pointing at the cluster's
``slurm.conf``; every name is checked by ``names`` before any process starts. Changes are batched the way
sacctmgr allows: many accounts under one parent in one ``add account``, every account sharing the same limits in
one ``modify account``, many users of one account in one ``add user``. sacctmgr answers "Nothing new added" or
"Nothing modified" with exit code 1; those are successes here (the target state already holds).
"""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from mesocentre.provisioning.drivers.base import checkpoint
from mesocentre.provisioning.slurm import names

# sacctmgr's "nothing to do" answers, exit code 1 but not errors for a client that converges.
NOTHING_TO_DO = ("Nothing new added", "Nothing modified", "Nothing deleted")
# What sacctmgr and sacct print when slurmdbd (or its database) cannot be reached: worth retrying later.
UNAVAILABLE = (
    "Connection refused",
    "persistent connection",
    "Problem talking to the database",
    "Unable to contact slurm controller",
    "Socket timed out",
    "Connection timed out",
)
# One argument may not exceed 128 KiB on Linux (MAX_ARG_STRLEN); comma-separated lists stay well below.
MAX_LIST_CHARS = 60_000
DEFAULT_TIMEOUT = 120


class SlurmError(Exception):
    """A Slurm tool failed; ``stderr`` is its own text, shown to operators."""

    def __init__(self, argv: Sequence[str], returncode: int, stdout: str, stderr: str):
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        text = (stderr or stdout).strip() or f"exit code {returncode}"
        super().__init__(f"{argv[0]} failed ({returncode}): {text}")


class SlurmUnavailable(SlurmError):
    """slurmdbd or slurmctld could not be reached: the change did not happen, retry later."""


@dataclass(frozen=True)
class Association:
    account: str
    user: str  # "" for the account's own association
    parent: str  # "" for user associations (their parent is ``account``) and for root
    grp_tres_mins: dict[str, int] = field(default_factory=dict, compare=True, hash=False)


@dataclass(frozen=True)
class AccountSpec:
    name: str
    parent: str = "root"
    description: str = ""


@dataclass(frozen=True)
class AccountDetails:
    """What sacctmgr keeps of an account beside its associations (Slurm lowercases the text)."""

    description: str = ""
    organization: str = ""
    coordinators: tuple[str, ...] = ()


@dataclass
class Usage:
    """An account's consumption from sacct's per-job records (allocations only), exact in seconds."""

    jobs: int = 0
    cpu_seconds: int = 0
    tres_seconds: dict[str, int] = field(default_factory=dict)

    @property
    def cpu_minutes(self) -> Decimal:
        return Decimal(self.cpu_seconds) / 60

    def minutes(self, tres: str) -> Decimal:
        return Decimal(self.tres_seconds.get(tres, 0)) / 60

    @property
    def gpu_minutes(self) -> Decimal:
        return self.minutes("gres/gpu")


def parse_tres(text: str) -> dict[str, int]:
    """``cpu=600,gres/gpu=60`` → ``{"cpu": 600, "gres/gpu": 60}``; memory suffixes (``4000M``) become MiB."""
    result: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        multiplier = 1
        if value and value[-1] in "KMGTP":
            multiplier = {"K": 1, "M": 1, "G": 1024, "T": 1024**2, "P": 1024**3}[value[-1]]
            value = value[:-1]
        try:
            result[key] = int(Decimal(value) * multiplier)
        except ArithmeticError:
            continue
    return result


def format_limits(limits: Mapping[str, int | None]) -> str:
    """``{"cpu": 600, "gres/gpu": None}`` → ``cpu=600,gres/gpu=-1`` (None or -1 clears that limit)."""
    parts = []
    for tres in sorted(limits):
        names.validate_tres(tres)
        minutes = limits[tres]
        if minutes is None:
            minutes = -1
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < -1 or minutes >= 2**63 - 1:
            raise names.InvalidName(f"The limit for {tres} must be a whole number of minutes, not {minutes!r}.")
        parts.append(f"{tres}={minutes}")
    if not parts:
        raise names.InvalidName("No limit given.")
    return ",".join(parts)


def _chunks(items: Sequence[str], max_chars: int = MAX_LIST_CHARS) -> Iterable[list[str]]:
    chunk: list[str] = []
    size = 0
    for item in items:
        if chunk and size + len(item) + 1 > max_chars:
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += len(item) + 1
    if chunk:
        yield chunk


class SlurmClient:
    """One Slurm cluster, as its accounting database and controller see it."""

    def __init__(
        self,
        cluster: str,
        slurm_conf: str | None = None,
        *,
        runner: Callable[..., subprocess.CompletedProcess] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        self.cluster = names.validate_cluster(cluster)
        self.slurm_conf = slurm_conf
        self.timeout = timeout
        self._runner = runner

    # ---- running the tools ------------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.slurm_conf:
            env["SLURM_CONF"] = self.slurm_conf
        return env

    def run(self, argv: Sequence[str], *, ok_if_nothing: bool = False) -> str:
        """Run one Slurm tool from an argument list; return its stdout or raise ``SlurmError``."""
        argv = [str(a) for a in argv]
        if any("\n" in a or "\0" in a for a in argv):  # never reached with validated names; a last guard
            raise names.InvalidName("An argument for Slurm holds a newline or NUL.")
        runner = self._runner or subprocess.run
        # Inside a worker's apply: stop here, before Slurm is touched, if another worker has taken the operation
        # over (a convergence makes several calls; each one may outlast what is left of a lease).
        checkpoint()
        try:
            done = runner(
                argv, capture_output=True, text=True, env=self._env(), timeout=self.timeout, check=False, shell=False
            )
        except subprocess.TimeoutExpired as exc:
            raise SlurmUnavailable(argv, -1, "", f"timed out after {self.timeout}s") from exc
        except FileNotFoundError as exc:
            raise SlurmError(argv, 127, "", f"{argv[0]} is not installed") from exc
        if done.returncode == 0:
            return done.stdout
        text = f"{done.stdout}\n{done.stderr}"
        if ok_if_nothing and any(marker in text for marker in NOTHING_TO_DO):
            return done.stdout
        error = SlurmUnavailable if any(marker in text for marker in UNAVAILABLE) else SlurmError
        raise error(argv, done.returncode, done.stdout, done.stderr)

    def sacctmgr(self, *args: str, ok_if_nothing: bool = False) -> str:
        return self.run(["sacctmgr", "-i", "-P", "-n", *args], ok_if_nothing=ok_if_nothing)

    @staticmethod
    def _rows(text: str) -> list[list[str]]:
        return [line.split("|") for line in text.splitlines() if line.strip()]

    # ---- reading ----------------------------------------------------------------------------------------------
    def associations(self) -> list[Association]:
        """Every association of the cluster: accounts (user "") and users in accounts, with their GrpTRESMins."""
        out = self.sacctmgr(
            "show", "associations", "where", f"cluster={self.cluster}", "format=account,user,parentname,grptresmins"
        )
        return [
            Association(account=row[0], user=row[1], parent=row[2], grp_tres_mins=parse_tres(row[3]))
            for row in self._rows(out)
            if len(row) >= 4
        ]

    def accounts(self) -> dict[str, Association]:
        """The cluster's accounts (root included) by name, each as its account-level association."""
        return {a.account: a for a in self.associations() if not a.user}

    def account_details(self) -> dict[str, AccountDetails]:
        """Description, organization and coordinators of every account slurmdbd knows (accounts are global)."""
        out = self.sacctmgr("show", "account", "withcoord", "format=account,descr,org,coord")
        details = {}
        for row in self._rows(out):
            if len(row) < 4:
                continue
            # A description may itself hold the delimiter: the first and the two last columns are certain.
            coordinators = tuple(sorted(filter(None, row[-1].split(","))))
            details[row[0]] = AccountDetails("|".join(row[1:-2]), row[-2], coordinators)
        return details

    def users(self, account: str) -> set[str]:
        names.validate_account(account, allow_root=True)
        return {a.user for a in self.associations() if a.user and a.account == account}

    def default_accounts(self, logins: Iterable[str]) -> dict[str, str]:
        logins = [names.validate_user(login) for login in logins]
        if not logins:
            return {}
        result: dict[str, str] = {}
        for chunk in _chunks(logins):
            out = self.sacctmgr("show", "user", "where", "name=" + ",".join(chunk), "format=user,defaultaccount")
            result.update({row[0]: row[1] for row in self._rows(out) if len(row) >= 2})
        return result

    def transactions_count(self) -> int:
        """How many changes slurmdbd has recorded (``sacctmgr list transactions``): Slurm's own change log."""
        out = self.sacctmgr("list", "transactions", "format=timestamp,action,actor")
        return len(self._rows(out))

    def job_records(
        self, fields: Sequence[str], *, since: str = "1970-01-01T00:00:00", account: str | None = None
    ) -> list[list[str]]:
        """sacct's allocation records (one per job, every user's) since ``since``, as rows of ``fields``."""
        argv = ["sacct", "-P", "-n", "-X", "--allocations", "-a", f"--clusters={self.cluster}"]
        if account is not None:
            argv.append(f"--accounts={names.validate_account(account)}")
        argv += [f"--starttime={since}", "--endtime=now", "--format=" + ",".join(fields)]
        return self._rows(self.run(argv))

    def usage(self, account: str, *, since: str = "1970-01-01T00:00:00") -> Usage:
        """CPU and other TRES seconds of the account's jobs (elapsed × allocated), from sacct's job records."""
        rows = self.job_records(("jobid", "elapsedraw", "alloctres"), since=since, account=account)
        usage = Usage()
        for row in rows:
            if len(row) < 3:
                continue
            usage.jobs += 1
            elapsed = int(row[1] or 0)
            for tres, count in parse_tres(row[2]).items():
                if tres in ("mem", "node", "billing", "energy"):
                    continue
                usage.tres_seconds[tres] = usage.tres_seconds.get(tres, 0) + elapsed * count
        usage.cpu_seconds = usage.tres_seconds.get("cpu", 0)
        return usage

    def job_states(self, job_ids: Iterable[int | str]) -> dict[str, tuple[str, str]]:
        """``{job id: (state, reason)}`` from squeue for jobs still known to the controller."""
        ids = [str(int(j)) for j in job_ids]
        if not ids:
            return {}
        out = self.run(
            ["squeue", "-h", f"--clusters={self.cluster}", "--noheader", "-j", ",".join(ids), "-o", "%A|%T|%r"]
        )
        return {row[0]: (row[1], row[2]) for row in self._rows(out) if len(row) >= 3 and row[0].isdigit()}

    def submit(self, account: str, command: str, *extra: str, as_user: str | None = None) -> int:
        """``sbatch --account=ACCOUNT --wrap COMMAND`` (the caller's own command, for tests and demos); job id.
        ``as_user``: submitted as that Unix user (``runuser``, so the caller must be root)."""
        names.validate_account(account)
        argv = ["sbatch", "--parsable", f"--clusters={self.cluster}", f"--account={account}", "-o", "/dev/null"]
        if as_user is not None:
            argv = ["runuser", "-u", names.validate_user(as_user), "--", *argv, "--chdir=/tmp"]
        out = self.run([*argv, *extra, "--wrap", command])
        return int(out.strip().split(";")[0])

    # ---- changing ---------------------------------------------------------------------------------------------
    def ensure_accounts(self, specs: Iterable[AccountSpec]) -> list[str]:
        """Create the missing accounts, parents before children, one ``add account`` per parent and wave.

        An existing account under another parent is moved (``modify account … set parent=``). Returns the names
        created or moved.
        """
        wanted: dict[str, str] = {}
        for spec in specs:
            names.validate_account(spec.name)
            names.validate_account(spec.parent, allow_root=True)
            if wanted.setdefault(spec.name, spec.parent) != spec.parent:
                raise names.InvalidName(f"Account {spec.name!r} is given two parents.")
        existing = self.accounts()
        changed: list[str] = []
        pending = {name: parent for name, parent in wanted.items() if existing.get(name, None) is None}
        moves = {
            name: parent for name, parent in wanted.items() if name in existing and existing[name].parent != parent
        }
        while pending:
            # A wave: every pending account whose parent already exists (or is created in an earlier wave).
            ready = {n: p for n, p in pending.items() if p not in pending}
            if not ready:
                raise names.InvalidName(f"The accounts {sorted(pending)} form a cycle of parents.")
            by_parent: dict[str, list[str]] = defaultdict(list)
            for name, parent in sorted(ready.items()):
                by_parent[parent].append(name)
            for parent, children in by_parent.items():
                for chunk in _chunks(children):
                    self.sacctmgr(
                        "add", "account", ",".join(chunk), f"parent={parent}", f"cluster={self.cluster}",
                        ok_if_nothing=True,
                    )  # fmt: skip
                    changed.extend(chunk)
            for name in ready:
                del pending[name]
        by_new_parent: dict[str, list[str]] = defaultdict(list)
        for name, parent in sorted(moves.items()):
            by_new_parent[parent].append(name)
        for parent, children in by_new_parent.items():
            for chunk in _chunks(children):
                self.sacctmgr(
                    "modify", "account", "where", "name=" + ",".join(chunk), f"cluster={self.cluster}",
                    "set", f"parent={parent}", ok_if_nothing=True,
                )  # fmt: skip
                changed.extend(chunk)
        return changed

    def set_limits(self, limits: Mapping[str, Mapping[str, int | None]]) -> int:
        """Set GrpTRESMins per account; accounts with identical limits share one ``modify account`` call.

        Only the TRES named are changed (None or -1 clears one); pass every TRES the platform manages to set an
        absolute target. Setting a value Slurm already holds records no transaction. Returns the number of calls.
        """
        groups: dict[str, list[str]] = defaultdict(list)
        for account, tres in limits.items():
            names.validate_account(account)
            groups[format_limits(tres)].append(account)
        calls = 0
        for value, accounts in sorted(groups.items()):
            for chunk in _chunks(sorted(accounts)):
                self.sacctmgr(
                    "modify", "account", "where", "name=" + ",".join(chunk), f"cluster={self.cluster}",
                    "set", f"GrpTRESMins={value}", ok_if_nothing=True,
                )  # fmt: skip
                calls += 1
        return calls

    def add_users(self, account: str, logins: Iterable[str]) -> None:
        """Associate users (Unix logins) with an account in one call; users already there are left alone."""
        names.validate_account(account)
        logins = sorted({names.validate_user(login) for login in logins})
        for chunk in _chunks(logins):
            self.sacctmgr(
                "add", "user", ",".join(chunk), f"account={account}", f"cluster={self.cluster}", ok_if_nothing=True
            )

    def remove_users(self, account: str, logins: Iterable[str]) -> None:
        """Remove users from an account in one call.

        sacctmgr lets a user lose the account that is their default and leaves their default empty, after which
        their jobs need ``--account``: a user who keeps other accounts on this cluster gets one of them as default.
        """
        names.validate_account(account)
        logins = sorted({names.validate_user(login) for login in logins})
        if not logins:
            return
        for chunk in _chunks(logins):
            self.sacctmgr(
                "delete", "user", "where", "name=" + ",".join(chunk), f"account={account}",
                f"cluster={self.cluster}", ok_if_nothing=True,
            )  # fmt: skip
        remaining: dict[str, list[str]] = defaultdict(list)
        for assoc in self.associations():
            if assoc.user in logins:
                remaining[assoc.user].append(assoc.account)
        defaults = self.default_accounts(remaining)
        fixes: dict[str, list[str]] = defaultdict(list)
        for login, accounts in remaining.items():
            if defaults.get(login, "") not in accounts:
                fixes[sorted(accounts)[0]].append(login)
        for new_default, users in fixes.items():
            self.sacctmgr(
                "modify", "user", "where", "name=" + ",".join(users), f"cluster={self.cluster}",
                "set", f"defaultaccount={new_default}", ok_if_nothing=True,
            )  # fmt: skip

    def delete_accounts(self, accounts: Iterable[str]) -> None:
        """Delete accounts (their user associations go with them) in one call; absent ones are ignored.

        Slurm refuses while one of them has running jobs, or when it is the default account of a user who keeps
        other associations: the error carries its text.
        """
        accounts = sorted({names.validate_account(a) for a in accounts})
        for chunk in _chunks(accounts):
            self.sacctmgr(
                "delete", "account", "where", "name=" + ",".join(chunk), f"cluster={self.cluster}", ok_if_nothing=True
            )
