"""Make Slurm's accounts match absolute targets, one or thousands at a time, with as few sacctmgr calls as possible.

A target is the whole desired state of one project account (see ``AccountTarget``). Converging is: read every
association of the cluster once, compute the differences, then change only what differs, so that replaying a
target already applied changes nothing (and records no transaction in slurmdbd). The changes are batched:
- moves to another parent (rare): one ``modify account … set parent=`` per new parent;
- new accounts with their limits, changed limits and new user associations: ONE ``sacctmgr load file=``, which
  creates, modifies and adds in a single round trip whatever the number of distinct limits (each sacctmgr round
  trip costs about 0.4 s; one ``modify`` per distinct limit set would cost that per grant size);
- user removals: one ``delete user`` per account; accounts marked absent: their users, then one
  ``delete account`` for all of them.
``sacctmgr load`` creates a cluster it does not know, so the cluster's root association is checked first.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mesocentre.provisioning.slurm import names
from mesocentre.provisioning.slurm.client import AccountSpec, Association, SlurmClient, SlurmError, format_limits

STATES = ("active", "suspended", "absent")


@dataclass(frozen=True)
class AccountTarget:
    """The absolute desired state of a project account, validated: nothing else reaches sacctmgr."""

    cluster: str
    account: str
    parent: str
    users: tuple[str, ...]
    limits: dict[str, int] = field(hash=False)
    state: str = "active"

    @property
    def key(self) -> str:
        return f"{self.cluster}:{self.account}"

    @classmethod
    def parse(cls, target: object) -> AccountTarget:
        """Validate a target dict; raise ``names.InvalidName`` saying what is wrong."""
        if not isinstance(target, Mapping):
            raise names.InvalidName("A Slurm account target must be a JSON object.")
        state = target.get("state", "active")
        if state not in STATES:
            raise names.InvalidName(f"Unknown account state {state!r}: expected one of {', '.join(STATES)}.")
        users, limits = target.get("users", []), target.get("limits", {})
        if not isinstance(users, list | tuple):
            raise names.InvalidName("The target's users must be a list of logins.")
        if not isinstance(limits, Mapping):
            raise names.InvalidName("The target's limits must map TRES names to minutes.")
        for tres, minutes in limits.items():
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
                raise names.InvalidName(f"The limit for {tres!r} must be a whole number of minutes, not {minutes!r}.")
        if limits:
            format_limits(limits)  # validates the TRES names
        # Suspended or expired: jobs must stop being accepted whatever the granted amounts say.
        limits = {t: (m if state == "active" else 0) for t, m in limits.items()}
        return cls(
            cluster=names.validate_cluster(target.get("cluster")),
            account=names.validate_account(target.get("account")),
            parent=names.validate_account(target.get("parent"), allow_root=True),
            users=tuple(sorted({names.validate_user(u) for u in users})),
            limits=dict(sorted(limits.items())),
            state=state,
        )

    def as_target(self) -> dict:
        return {
            "cluster": self.cluster,
            "account": self.account,
            "parent": self.parent,
            "users": list(self.users),
            "limits": dict(self.limits),
            "state": self.state,
        }


class Snapshot:
    """The cluster's associations, indexed: accounts by name, users by account."""

    def __init__(self, associations: Iterable[Association]):
        self.accounts: dict[str, Association] = {}
        self.users: dict[str, set[str]] = defaultdict(set)
        for assoc in associations:
            if assoc.user:
                self.users[assoc.account].add(assoc.user)
            else:
                self.accounts[assoc.account] = assoc

    def actual(self, cluster: str, account: str) -> dict | None:
        """The account in the shape of a target (state read from the limits: all zero is suspended)."""
        assoc = self.accounts.get(account)
        if assoc is None:
            return None
        limits = dict(sorted(assoc.grp_tres_mins.items()))
        suspended = bool(limits) and not any(limits.values())
        return {
            "cluster": cluster,
            "account": account,
            "parent": assoc.parent,
            "users": sorted(self.users.get(account, ())),
            "limits": limits,
            "state": "suspended" if suspended else "active",
        }


def read_snapshot(client: SlurmClient) -> Snapshot:
    snapshot = Snapshot(client.associations())
    if "root" not in snapshot.accounts:
        # sacctmgr would create the cluster on load: refuse instead, the declaration must be wrong.
        raise SlurmError(
            ["sacctmgr"], 1, "", f"slurmdbd knows no cluster named {client.cluster!r} (see ClusterName in slurm.conf)"
        )
    return snapshot


def _chain(targets: list[AccountTarget], root_account: str) -> dict[str, str]:
    """account → parent for every account the targets need: the root account, establishments, projects."""
    wanted: dict[str, str] = {}

    def want(name: str, parent: str) -> None:
        if wanted.setdefault(name, parent) != parent:
            raise names.InvalidName(f"Account {name!r} is given two parents ({wanted[name]!r} and {parent!r}).")

    if root_account != "root":
        want(root_account, "root")
    for t in targets:
        if t.parent not in ("root", root_account):
            want(t.parent, root_account)
        want(t.account, t.parent)
    return wanted


def _load_file(cluster: str, wanted: dict[str, str], accounts: dict[str, str], users: dict[str, list[str]]) -> str:
    """sacctmgr's flat-file format; ``accounts`` maps each account to write to its limits ("" for none)."""
    lines = [f"Cluster - '{cluster}'"]
    depth = {}

    def level(name: str) -> int:
        if name not in depth:
            depth[name] = 0 if name not in wanted else 1 + level(wanted[name])
        return depth[name]

    by_parent: dict[str, list[str]] = defaultdict(list)
    for name in sorted(accounts, key=lambda n: (level(n), n)):  # parents are written before their children
        by_parent[wanted[name]].append(name)
    for parent, children in by_parent.items():
        lines.append(f"Parent - '{parent}'")
        lines += [f"Account - '{c}'" + (f":GrpTRESMins={accounts[c]}" if accounts[c] else "") for c in children]
    # slurmdbd keeps associations as a nested set and renumbers every row to the right of each account that gains
    # users; adding them left to right (the order accounts were written in: by parent, then name) keeps the rows
    # already holding new users on the left, out of the renumbering.
    for account, logins in sorted(users.items(), key=lambda item: (wanted.get(item[0], ""), item[0])):
        lines.append(f"Parent - '{account}'")
        lines += [f"User - '{login}'" for login in logins]
    return "\n".join(lines) + "\n"


def _load(client: SlurmClient, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", prefix="mesocentre-sacctmgr-", suffix=".cfg", delete=False) as handle:
        handle.write(text)
    try:
        client.sacctmgr("load", f"file={handle.name}")  # exit code 1 here is an error, even with "Nothing new"
    finally:
        os.unlink(handle.name)


def converge(client: SlurmClient, targets: Iterable[AccountTarget], root_account: str = "root") -> dict[str, dict]:
    """Make Slurm match every target; return, per target key, what changed (see ``_result``)."""
    targets = list({t.key: t for t in targets}.values())  # the last target of an account wins
    for t in targets:
        if t.cluster != client.cluster:
            raise names.InvalidName(f"Target {t.key} is not for cluster {client.cluster!r}.")
    snap = read_snapshot(client)
    present = [t for t in targets if t.state != "absent"]
    wanted = _chain(present, root_account)
    results = {t.key: _result(t) for t in targets}
    by_account = {t.account: t for t in present}

    # 1. Moves (and any missing new parents of moved accounts), before the load that assumes the right tree.
    moved = {n: p for n, p in wanted.items() if n in snap.accounts and snap.accounts[n].parent != p}
    created: set[str] = set()
    if moved:
        specs = {n: wanted[n] for n in moved}
        for name in list(moved):
            parent = wanted[name]
            while parent in wanted and parent not in snap.accounts and parent not in specs:
                specs[parent] = wanted[parent]
                parent = wanted[parent]
        done = set(client.ensure_accounts([AccountSpec(n, p) for n, p in specs.items()]))
        created = done - set(moved)
        for name in moved:
            if name in by_account:
                results[by_account[name].key]["moved_from"] = snap.accounts[name].parent
        for name in created:
            if name in by_account:
                results[by_account[name].key]["created"] = True

    # 2. One load for new accounts, changed limits and new users.
    to_write: dict[str, str] = {}
    for name in wanted:
        target = by_account.get(name)
        actual = snap.accounts.get(name)
        if actual is None and name not in created:
            to_write[name] = format_limits(target.limits) if target and target.limits else ""
            if target:
                results[target.key]["created"] = True
                results[target.key]["limits_changed"] = {tres: [None, m] for tres, m in target.limits.items()}
        elif target and target.limits:
            have = actual.grp_tres_mins if actual else {}
            diff = {tres: [have.get(tres), m] for tres, m in target.limits.items() if have.get(tres) != m}
            if diff:
                to_write[name] = format_limits(target.limits)
                results[target.key]["limits_changed"] = diff
    adds: dict[str, list[str]] = {}
    for t in present:
        missing = sorted(set(t.users) - snap.users.get(t.account, set()))
        if missing:
            adds[t.account] = missing
            results[t.key]["users_added"] = missing
    if to_write or adds:
        _load(client, _load_file(client.cluster, wanted, to_write, adds))

    # 3. Removals: users first (their default account is repaired by the client), then absent accounts.
    for t in present:
        extra = sorted(snap.users.get(t.account, set()) - set(t.users))
        if extra:
            client.remove_users(t.account, extra)
            results[t.key]["users_removed"] = extra
    gone = [t for t in targets if t.state == "absent" and t.account in snap.accounts]
    for t in gone:
        # Users first: Slurm refuses to delete the default account of a user who keeps other associations.
        if snap.users.get(t.account):
            client.remove_users(t.account, sorted(snap.users[t.account]))
            results[t.key]["users_removed"] = sorted(snap.users[t.account])
    if gone:
        client.delete_accounts([t.account for t in gone])
        for t in gone:
            results[t.key]["deleted"] = True
    for result in results.values():
        result["changed"] = any(result[k] for k in CHANGE_KEYS)
    return results


CHANGE_KEYS = ("created", "moved_from", "limits_changed", "users_added", "users_removed", "deleted")


def _result(target: AccountTarget) -> dict:
    """What ``converge`` reports for one account; every key always present, so the shape is stable."""
    return {
        "cluster": target.cluster,
        "account": target.account,
        "state": target.state,
        "created": False,
        "moved_from": None,
        "limits_changed": {},  # tres -> [before, after]
        "users_added": [],
        "users_removed": [],
        "deleted": False,
        "changed": False,
    }
