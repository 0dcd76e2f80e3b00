"""Which Slurm clusters the platform knows: rows of ``SlurmCluster``, or one from the environment.

The simple case needs no row: ``SLURM_CONF`` (Slurm's own variable) plus ``MESOCENTRE_SLURM_CLUSTER`` declare one
cluster, with ``MESOCENTRE_SLURM_ROOT_ACCOUNT`` (default ``root``). A row of the same name wins over the
environment, so operators can take over a cluster first declared by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from mesocentre.provisioning.slurm import names
from mesocentre.provisioning.slurm.client import SlurmClient

CLUSTER_ENV = "MESOCENTRE_SLURM_CLUSTER"
ROOT_ACCOUNT_ENV = "MESOCENTRE_SLURM_ROOT_ACCOUNT"
CONF_ENV = "SLURM_CONF"


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    slurm_conf: str
    root_account: str = "root"

    def client(self, **kwargs) -> SlurmClient:
        return SlurmClient(self.name, self.slurm_conf, **kwargs)


class ClusterNotConfigured(LookupError):
    """No cluster of that name is declared; the message tells the operator how to declare one."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"No Slurm cluster named {name!r} is configured: set SLURM_CONF and MESOCENTRE_SLURM_CLUSTER={name} "
            "in the worker's environment, or declare the cluster in the administration (Slurm clusters)."
        )


def _from_environment() -> ClusterSpec | None:
    name, conf = os.environ.get(CLUSTER_ENV, "").strip(), os.environ.get(CONF_ENV, "").strip()
    if not name or not conf:
        return None
    root = os.environ.get(ROOT_ACCOUNT_ENV, "").strip() or "root"
    return ClusterSpec(names.validate_cluster(name), conf, names.validate_account(root, allow_root=True))


def declared_clusters() -> list[ClusterSpec]:
    """Every active cluster: the declared rows, then the environment's one if it has no row."""
    from mesocentre.provisioning.models import SlurmCluster

    specs = [
        ClusterSpec(row.name, row.slurm_conf, row.root_account)
        for row in SlurmCluster.objects.filter(is_active=True).order_by("name")
    ]
    env = _from_environment()
    if env is not None and env.name not in {s.name for s in specs}:
        specs.append(env)
    return specs


def get_cluster(name: str) -> ClusterSpec:
    """The cluster called ``name``, or ``ClusterNotConfigured`` (also for an inactive row)."""
    from mesocentre.provisioning.models import SlurmCluster

    row = SlurmCluster.objects.filter(name=name).first()
    if row is not None:
        if row.is_active:
            return ClusterSpec(row.name, row.slurm_conf, row.root_account)
        raise ClusterNotConfigured(name)
    env = _from_environment()
    if env is not None and env.name == name:
        return env
    raise ClusterNotConfigured(name)


def configured(names) -> set[str]:
    """Which of ``names`` ``get_cluster`` would find, in one query however many names."""
    from mesocentre.provisioning.models import SlurmCluster

    names = set(names)
    rows = dict(SlurmCluster.objects.filter(name__in=names).values_list("name", "is_active"))
    env = _from_environment() if names - set(rows) else None
    return {name for name in names if rows.get(name) or (name not in rows and env is not None and env.name == name)}


def cluster_config(name: str) -> tuple[str, str] | None:
    """``(name, slurm_conf)`` of a declared cluster, None if there is none of that name."""
    try:
        spec = get_cluster(name)
    except ClusterNotConfigured:
        return None
    return spec.name, spec.slurm_conf
