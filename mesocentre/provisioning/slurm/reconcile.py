"""Drift between what the platform wants in Slurm and what Slurm has, and its repair.

The desired state comes from providers registered with ``register_desired_state`` (the projects app registers one
in its ``AppConfig.ready``): callables ``cluster name -> list of account targets``, the same absolute targets the
queue carries. ``drift`` compares them with the associations under the cluster's root account; ``repair`` applies
the desired targets in bulk and removes accounts unknown to the platform only when asked to.

Every ``DriftItem`` is plain data: ``as_json(items)`` gives a list of dicts ready for ``json.dumps``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from mesocentre.provisioning.drivers.base import DriftItem, PermanentError
from mesocentre.provisioning.slurm import names
from mesocentre.provisioning.slurm.apply import apply_many, as_driver_error, resolve_cluster
from mesocentre.provisioning.slurm.client import SlurmError
from mesocentre.provisioning.slurm.converge import AccountTarget, Snapshot, read_snapshot

DesiredStateProvider = Callable[[str], list[dict]]

# Kinds of drift, in ``DriftItem.extra["kind"]``.
MISSING_ACCOUNT = "missing_account"
EXTRA_ACCOUNT = "extra_account"
WRONG_PARENT = "wrong_parent"
LIMITS = "limits"
MISSING_USERS = "missing_users"
EXTRA_USERS = "extra_users"
PAST_GRACE = "past_grace"  # the platform wants the account gone (its grace period is over) and Slurm still has it
KINDS = (MISSING_ACCOUNT, EXTRA_ACCOUNT, WRONG_PARENT, LIMITS, MISSING_USERS, EXTRA_USERS, PAST_GRACE)

_providers: list[DesiredStateProvider] = []


def register_desired_state(provider: DesiredStateProvider) -> DesiredStateProvider:
    """Add a source of desired targets (idempotent: registering the same callable twice keeps one)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_desired_state(provider: DesiredStateProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def desired_state(cluster: str) -> list[AccountTarget]:
    """Every provider's targets for ``cluster``, validated; an invalid one is an error, not silently skipped."""
    targets: dict[str, AccountTarget] = {}
    for provider in _providers:
        for raw in provider(cluster):
            try:
                target = AccountTarget.parse(raw)
            except names.InvalidName as exc:
                raise PermanentError(f"Invalid desired state from {provider!r}: {exc}") from None
            if target.cluster == cluster:
                targets[target.account] = target
    return list(targets.values())


def _item(cluster: str, account: str, kind: str, desired, actual, message: str, **extra) -> DriftItem:
    return DriftItem("account", f"{cluster}:{account}", desired, actual, message, {"kind": kind, **extra})


def _subtree(snap: Snapshot, root_account: str) -> set[str]:
    """Accounts under the cluster's root account (itself excluded); Slurm's own root is never platform's."""
    children: dict[str, list[str]] = {}
    for name, assoc in snap.accounts.items():
        if name != "root":
            children.setdefault(assoc.parent, []).append(name)
    found, todo = set(), [root_account]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def compare(cluster: str, root_account: str, desired: Iterable[AccountTarget], snap: Snapshot) -> list[DriftItem]:
    """Pure comparison of desired targets with a snapshot (no Slurm call)."""
    items: list[DriftItem] = []
    desired = list(desired)
    for t in sorted((t for t in desired if t.state == "absent"), key=lambda t: t.account):
        have = snap.actual(cluster, t.account)
        if have is not None:
            message = f"Account {t.account} is past its grace period and should be removed."
            items.append(_item(cluster, t.account, PAST_GRACE, t.as_target(), have, message))
    gone = {t.account for t in desired if t.state == "absent"}
    desired = [t for t in desired if t.state != "absent"]
    known = {t.account for t in desired} | {t.parent for t in desired}
    for t in sorted(desired, key=lambda t: t.account):
        want, have = t.as_target(), snap.actual(cluster, t.account)
        if have is None:
            items.append(_item(cluster, t.account, MISSING_ACCOUNT, want, None, f"Account {t.account} is missing."))
            continue
        if have["parent"] != t.parent:
            message = f"Account {t.account} is under {have['parent']}, not {t.parent}."
            items.append(_item(cluster, t.account, WRONG_PARENT, want, have, message))
        differing = {
            tres: [have["limits"].get(tres), m] for tres, m in t.limits.items() if have["limits"].get(tres) != m
        }
        if differing:
            text = ", ".join(f"{tres} {old} instead of {new}" for tres, (old, new) in differing.items())
            items.append(_item(cluster, t.account, LIMITS, want, have, f"{t.account}: {text}.", limits=differing))
        for kind, logins, text in (
            (MISSING_USERS, sorted(set(t.users) - set(have["users"])), "lacks users"),
            (EXTRA_USERS, sorted(set(have["users"]) - set(t.users)), "has extra users"),
        ):
            if logins:
                message = f"Account {t.account} {text}: {', '.join(logins)}."
                items.append(_item(cluster, t.account, kind, want, have, message, users=logins))
    for account in sorted(_subtree(snap, root_account) - known - gone):
        message = f"Account {account} exists in Slurm but not in the platform."
        items.append(_item(cluster, account, EXTRA_ACCOUNT, None, snap.actual(cluster, account), message))
    return items


def drift(cluster: str) -> list[DriftItem]:
    """Every difference between the desired targets of ``cluster`` and its Slurm accounts."""
    spec = resolve_cluster(cluster)
    try:
        snap = read_snapshot(spec.client())
    except SlurmError as exc:
        raise as_driver_error(exc, cluster) from exc
    return compare(cluster, spec.root_account, desired_state(cluster), snap)


def repair(cluster: str, items: Iterable[DriftItem], *, remove_extra: bool = False) -> dict:
    """Apply the desired state of every drifted account; delete extra accounts only with ``remove_extra``.

    Returns ``{"applied": {key: converge result}, "removed": [accounts], "extra_kept": [accounts]}``.
    """
    items = list(items)
    desired = {i.resource_key: i.desired for i in items if i.desired is not None}
    applied = apply_many(desired.values()) if desired else {}
    extra = sorted(i.resource_key.partition(":")[2] for i in items if i.extra.get("kind") == EXTRA_ACCOUNT)
    removed: list[str] = []
    if extra and remove_extra:
        spec = resolve_cluster(cluster)
        client = spec.client()
        try:
            parents = {a: assoc.parent for a, assoc in read_snapshot(client).accounts.items()}
            # Children before parents: Slurm refuses to delete an account that still has sub-accounts.
            for account in sorted(extra, key=lambda a: -_depth(a, parents)):
                client.delete_accounts([account])
                removed.append(account)
        except SlurmError as exc:
            raise as_driver_error(exc, cluster) from exc
    return {"applied": applied, "removed": removed, "extra_kept": [] if remove_extra else extra}


def _depth(account: str, parents: dict[str, str]) -> int:
    depth = 0
    while account in parents and account != "root" and depth < 100:
        account, depth = parents[account], depth + 1
    return depth


def as_json(items: Iterable[DriftItem]) -> list[dict]:
    """Drift items as plain dicts (kind, resource, desired, actual, message, details) for ``json.dumps``."""
    return [dataclasses.asdict(item) for item in items]
