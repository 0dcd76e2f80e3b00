"""Push N projects with limits into a real Slurm: the client's batched calls against one sacctmgr call per change.

    python bench/slurm_bulk.py [--n 200] [--tiers 10]
        [--slurm-conf PATH --cluster NAME]   (default: $SLURM_CONF and $MESOCENTRE_SLURM_CLUSTER, or a private
                                              cluster started with scripts/slurm.sh and stopped at the end)

Both runs create the same tree (root → one establishment → N projects) under different names in the same cluster,
then give every project GrpTRESMins=cpu=…,gres/gpu=…. Granted amounts come in ``--tiers`` distinct sizes, as
committees grant round numbers; with every amount distinct (``--tiers 0``) the batched limit step makes one call
per project and the gain comes from account creation only. The baseline is what established tools do: one
``sacctmgr add account`` and one ``sacctmgr modify account`` per project.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mesocentre.provisioning.slurm.client import AccountSpec, SlurmClient  # noqa: E402


def limits_for(i: int, tiers: int) -> dict[str, int]:
    size = i % tiers if tiers else i
    return {"cpu": 60_000 * (size + 1), "gres/gpu": 600 * (size + 1)}


def batched(client: SlurmClient, tag: str, n: int, tiers: int) -> None:
    est = f"bench-{tag}-est"
    projects = [f"bench-{tag}-p{i:05d}" for i in range(n)]
    client.ensure_accounts([AccountSpec(est, "root")] + [AccountSpec(p, est) for p in projects])
    client.set_limits({p: limits_for(i, tiers) for i, p in enumerate(projects)})


def one_call_per_change(client: SlurmClient, tag: str, n: int, tiers: int) -> None:
    est = f"bench-{tag}-est"
    client.sacctmgr("add", "account", est, "parent=root", f"cluster={client.cluster}")
    for i in range(n):
        project = f"bench-{tag}-p{i:05d}"
        client.sacctmgr("add", "account", project, f"parent={est}", f"cluster={client.cluster}")
        tres = limits_for(i, tiers)
        client.sacctmgr(
            "modify", "account", "where", f"name={project}", f"cluster={client.cluster}",
            "set", f"GrpTRESMins=cpu={tres['cpu']},gres/gpu={tres['gres/gpu']}",
        )  # fmt: skip


def cleanup(client: SlurmClient, tag: str, n: int) -> None:
    client.delete_accounts([f"bench-{tag}-p{i:05d}" for i in range(n)])
    client.delete_accounts([f"bench-{tag}-est"])


def check(client: SlurmClient, tag: str, n: int, tiers: int) -> None:
    accounts = client.accounts()
    for i in range(n):
        account = accounts[f"bench-{tag}-p{i:05d}"]
        assert account.parent == f"bench-{tag}-est" and account.grp_tres_mins == limits_for(i, tiers), account


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="projects per run (default 200)")
    parser.add_argument("--tiers", type=int, default=10, help="distinct grant sizes; 0: all distinct (default 10)")
    parser.add_argument("--slurm-conf", default=os.environ.get("SLURM_CONF"))
    parser.add_argument("--cluster", default=os.environ.get("MESOCENTRE_SLURM_CLUSTER", "mesotest"))
    args = parser.parse_args()

    started = None
    if not args.slurm_conf:
        started = Path(tempfile.mkdtemp(prefix="mesocentre-bench-slurm-", dir="/tmp"))
        t0 = time.perf_counter()
        out = subprocess.run(
            [str(ROOT / "scripts" / "slurm.sh"), "start", str(started), "0", args.cluster],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        args.slurm_conf, args.cluster = values["SLURM_CONF"], values["SLURM_CLUSTER"]
        print(f"started Slurm in {time.perf_counter() - t0:.1f} s ({args.slurm_conf})")
    try:
        client = SlurmClient(args.cluster, args.slurm_conf, timeout=600)
        tag = f"{os.getpid()}"
        results = {}
        for label, run in (("batched", batched), ("one call per change", one_call_per_change)):
            name = f"{tag}{label[0]}"
            t0 = time.perf_counter()
            run(client, name, args.n, args.tiers)
            results[label] = time.perf_counter() - t0
            check(client, name, args.n, args.tiers)
            cleanup(client, name, args.n)
            print(f"{label:>20}: {args.n} projects with limits in {results[label]:.2f} s")
        ratio = results["one call per change"] / results["batched"]
        print(f"ratio: batched is {ratio:.1f}x faster (N={args.n}, {args.tiers or args.n} distinct limit sets)")
    finally:
        if started:
            subprocess.run([str(ROOT / "scripts" / "slurm.sh"), "stop", str(started)], capture_output=True)
            shutil.rmtree(started, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
