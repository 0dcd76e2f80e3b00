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

from mesocentre.provisioning.drivers.base import DriftItem, Driver, PermanentError, register
from mesocentre.provisioning.slurm import names, reconcile
from mesocentre.provisioning.slurm.apply import apply_many, as_driver_error, resolve_cluster
from mesocentre.provisioning.slurm.client import SlurmError
from mesocentre.provisioning.slurm.clusters import declared_clusters
from mesocentre.provisioning.slurm.converge import read_snapshot

LEASE_ENV = "MESOCENTRE_SLURM_LEASE_SECONDS"
# How long a dead worker's account waits to be taken over. Renewed while a convergence runs and checked before each
# sacctmgr call, so it need not cover the several calls of a convergence; it covers one (whose timeout is 120 s),
# which a worker cut off from the database cannot stop once started.
DEFAULT_LEASE_SECONDS = 120


@register
class SlurmDriver(Driver):
    name = "slurm"
    handles = {"account": "apply_account"}

    @property
    def lease_seconds(self) -> int:  # type: ignore[override]
        # Overridable so that tests (and slow sites) can shorten or lengthen the takeover delay.
        return int(os.environ.get(LEASE_ENV) or DEFAULT_LEASE_SECONDS)

    def apply_account(self, operation) -> dict:
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
        return [item for spec in declared_clusters() for item in reconcile.drift(spec.name)]
