"""The Slurm backend: one resource per project account, ``account`` / ``"<cluster>:<account>"``.

The target is absolute (``slurm.converge.AccountTarget``): the account under its establishment under the
cluster's root account, exactly these users, these ``GrpTRESMins``. ``apply`` reads the cluster's associations
and changes only what differs, so a worker killed after Slurm changed but before the queue recorded it replays
the operation without a single new transaction. Errors:
- an undeclared cluster → ``NotReady``: the operation waits without using up its attempts;
- an unreachable slurmdbd → ``DriverError``, retried with backoff, text on the operations page;
- an invalid target (a name Slurm would mangle, an unknown state) → ``PermanentError``: retrying cannot help.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping

from mesocentre.provisioning.drivers.base import DriftItem, Driver, DriverError, NotReady, PermanentError, register
from mesocentre.provisioning.slurm import names
from mesocentre.provisioning.slurm.client import SlurmError, SlurmUnavailable
from mesocentre.provisioning.slurm.clusters import ClusterNotConfigured, ClusterSpec, get_cluster
from mesocentre.provisioning.slurm.converge import AccountTarget, converge, read_snapshot

LEASE_ENV = "MESOCENTRE_SLURM_LEASE_SECONDS"
# How long a dead worker's account waits to be taken over. Renewed while a convergence runs and checked before each
# sacctmgr call, so it need not cover the several calls of a convergence; it covers one (whose timeout is 120 s),
# which a worker cut off from the database cannot stop once started.
DEFAULT_LEASE_SECONDS = 120


def resolve_cluster(name: str) -> ClusterSpec:
    try:
        return get_cluster(name)
    except ClusterNotConfigured as exc:
        raise NotReady(str(exc)) from None


def as_driver_error(exc: SlurmError, cluster: str) -> DriverError:
    if isinstance(exc, SlurmUnavailable):
        return DriverError(f"slurmdbd of cluster {cluster!r} is unreachable, will retry: {exc}")
    return DriverError(str(exc))


def apply_many(
    targets: Iterable[dict | AccountTarget], *, clusters: Mapping[str, ClusterSpec] | None = None
) -> dict[str, dict]:
    """Converge many targets at once, in one read and a handful of sacctmgr calls per cluster.

    Returns, per resource key (``cluster:account``), the same dict as ``SlurmDriver.apply``. Raises
    ``PermanentError`` for an invalid target (before anything is changed) and ``DriverError`` otherwise.
    ``clusters`` gives the cluster declarations directly (the benchmark, which has no database).
    """
    by_cluster: dict[str, list[AccountTarget]] = defaultdict(list)
    for target in targets:
        try:
            parsed = target if isinstance(target, AccountTarget) else AccountTarget.parse(target)
        except names.InvalidName as exc:
            raise PermanentError(str(exc)) from None
        by_cluster[parsed.cluster].append(parsed)
    results: dict[str, dict] = {}
    for cluster, group in by_cluster.items():
        spec = clusters[cluster] if clusters and cluster in clusters else resolve_cluster(cluster)
        try:
            results.update(converge(spec.client(), group, spec.root_account))
        except names.InvalidName as exc:
            raise PermanentError(str(exc)) from None
        except SlurmError as exc:
            raise as_driver_error(exc, cluster) from exc
    return results


@register
class SlurmDriver(Driver):
    name = "slurm"

    @property
    def lease_seconds(self) -> int:  # type: ignore[override]
        # Overridable so that tests (and slow sites) can shorten or lengthen the takeover delay.
        return int(os.environ.get(LEASE_ENV) or DEFAULT_LEASE_SECONDS)

    def apply(self, operation) -> dict:
        if operation.resource_type != "account":
            raise PermanentError(f"The Slurm backend manages accounts, not {operation.resource_type!r}.")
        target = operation.target if isinstance(operation.target, dict) else {}
        key = f"{target.get('cluster')}:{target.get('account')}"
        if key != operation.resource_key:
            raise PermanentError(f"The target is for {key!r} but the operation for {operation.resource_key!r}.")
        return apply_many([target])[key]

    def read_actual(self, resource_type: str, key: str) -> dict | None:
        if resource_type != "account":
            return None
        cluster, _, account = key.partition(":")
        try:
            names.validate_account(account)
            spec = resolve_cluster(names.validate_cluster(cluster))
        except names.InvalidName as exc:
            raise PermanentError(str(exc)) from None
        try:
            return read_snapshot(spec.client()).actual(cluster, account)
        except SlurmError as exc:
            raise as_driver_error(exc, cluster) from exc

    def reconcile(self) -> list[DriftItem]:
        from mesocentre.provisioning.slurm import reconcile
        from mesocentre.provisioning.slurm.clusters import declared_clusters

        return [item for spec in declared_clusters() for item in reconcile.drift(spec.name)]
