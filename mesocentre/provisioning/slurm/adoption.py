"""Adopting a cluster that already holds accounts: read them in the platform's shape, let an importer map them.

The provisioning app reads Slurm (``read_existing``); what an account becomes in the platform (a project, its
members, an allocation) belongs to the app above, which registers its importer in its ``AppConfig.ready``, the
same way it registers its desired state for reconciliation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from mesocentre.provisioning.slurm.apply import as_driver_error, resolve_cluster
from mesocentre.provisioning.slurm.client import SlurmError
from mesocentre.provisioning.slurm.converge import read_snapshot


@dataclass
class ExistingAccount:
    account: str
    parent: str
    depth: int  # 1: directly under the cluster's root account (an establishment, in the platform's tree)
    users: list[str] = field(default_factory=list)
    limits: dict[str, int] | None = None  # GrpTRESMins; None when Slurm has none (unlimited)
    description: str = ""
    organization: str = ""
    coordinators: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


Importer = Callable[..., dict]
_importers: list[Importer] = []


def register_importer(importer: Importer) -> Importer:
    if importer not in _importers:
        _importers.append(importer)
    return importer


def read_existing(cluster: str) -> list[ExistingAccount]:
    """Every account under the cluster's root account, parents first, with its users, limits and details."""
    spec = resolve_cluster(cluster)
    client = spec.client()
    try:
        snap = read_snapshot(client)
        details = client.account_details()
    except SlurmError as exc:
        raise as_driver_error(exc, cluster) from exc
    children: dict[str, list[str]] = {}
    for name, assoc in snap.accounts.items():
        if name != "root":
            children.setdefault(assoc.parent, []).append(name)
    found: list[ExistingAccount] = []
    level = [(spec.root_account, 0)]
    while level:
        parent, depth = level.pop(0)
        for name in sorted(children.get(parent, [])):
            limits = snap.accounts[name].grp_tres_mins
            info = details.get(name)
            found.append(
                ExistingAccount(
                    account=name,
                    parent=parent,
                    depth=depth + 1,
                    users=sorted(snap.users.get(name, ())),
                    limits=dict(limits) if limits else None,
                    description=info.description if info else "",
                    organization=info.organization if info else "",
                    coordinators=list(info.coordinators) if info else [],
                )
            )
            level.append((name, depth + 1))
    return found


def run_import(cluster: str, **options) -> dict:
    """Read the cluster and give its accounts to every registered importer; their reports, merged."""
    if not _importers:
        raise LookupError("No importer is registered: the projects app maps Slurm accounts to projects.")
    accounts = read_existing(cluster)
    report: dict = {"cluster": cluster, "accounts_read": len(accounts)}
    for importer in _importers:
        report.update(importer(cluster, accounts, **options))
    return report
