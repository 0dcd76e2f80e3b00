"""Converging account targets in Slurm, with the errors the operation queue knows (``drivers.base``).

Shared by the queue's Slurm driver (``drivers/slurm.py``), the reconciliation and the adoption of a cluster: it sits
below all three, so that the driver may call the reconciliation without the reconciliation importing the driver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from mesocentre.provisioning.drivers.base import DriverError, NotReady, PermanentError
from mesocentre.provisioning.slurm import names
from mesocentre.provisioning.slurm.client import SlurmError, SlurmUnavailable
from mesocentre.provisioning.slurm.clusters import ClusterNotConfigured, ClusterSpec, get_cluster
from mesocentre.provisioning.slurm.converge import AccountTarget, converge


def resolve_cluster(name: str) -> ClusterSpec:
    """The declared cluster ``name``; an undeclared one makes the operation wait (``NotReady``)."""
    try:
        return get_cluster(name)
    except ClusterNotConfigured as exc:
        raise NotReady(str(exc)) from None


def as_driver_error(exc: SlurmError, cluster: str) -> DriverError:
    """The queue's retryable error for a failed Slurm call, naming an unreachable slurmdbd as such."""
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
