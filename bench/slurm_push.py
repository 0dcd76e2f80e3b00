"""Push N projects (accounts, users, GrpTRESMins) into a real Slurm: the driver's ``apply_many`` against the baseline
of one sacctmgr call per change, in the same run, on a cluster this script starts with scripts/slurm.sh.

    python bench/slurm_push.py [--n 2000] [--establishments 20] [--grants 50] [--users 2] [--sample 100]
        [--slurm-conf PATH --cluster NAME]   (an existing cluster instead of a private one; it gets b-*/s-* accounts)

The batched run converges N absolute targets (root → establishment → project, each with its users and
``cpu``/``gres/gpu`` limits drawn from ``--grants`` distinct grant sizes) with ``apply_many``, then replays them
(nothing to do). The baseline is what established tools do, one sacctmgr call per change: ``add account`` per
establishment and per project, one ``modify account … set GrpTRESMins=`` per project, one ``add user`` per member.
It is MEASURED on a sample of ``--sample`` projects and EXTRAPOLATED to N from the mean time of one call (running
the 2000 × 4 calls would take most of an hour); the output says so.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mesocentre.provisioning.slurm.apply import apply_many  # noqa: E402
from mesocentre.provisioning.slurm.client import SlurmClient  # noqa: E402
from mesocentre.provisioning.slurm.clusters import ClusterSpec  # noqa: E402
from mesocentre.provisioning.slurm.converge import read_snapshot  # noqa: E402

CALLS = {"sacctmgr": 0}
_run = subprocess.run


def counting_run(argv, *args, **kwargs):
    if argv and argv[0] == "sacctmgr":
        CALLS["sacctmgr"] += 1
    return _run(argv, *args, **kwargs)


def make_targets(cluster: str, prefix: str, n: int, establishments: int, grants: int, users: int) -> list[dict]:
    rng = random.Random(20251124)
    sizes = [(50_000 * (k + 1), 600 * (k % 10)) for k in range(grants)]  # core-minutes, GPU-minutes
    targets = []
    for i in range(n):
        cpu, gpu = rng.choice(sizes)
        targets.append(
            {
                "cluster": cluster,
                "account": f"{prefix}-p{i:05d}",
                "parent": f"{prefix}-e{i % establishments:02d}",
                "users": sorted({f"{prefix}u{rng.randrange(n * users):05d}" for _ in range(users)}),
                "limits": {"cpu": cpu, "gres/gpu": gpu},
                "state": "active",
            }
        )
    return targets


def one_call_per_change(client: SlurmClient, targets: list[dict]) -> int:
    calls = 0
    for parent in sorted({t["parent"] for t in targets}):
        client.sacctmgr("add", "account", parent, "parent=root", f"cluster={client.cluster}")
        calls += 1
    for t in targets:
        client.sacctmgr("add", "account", t["account"], f"parent={t['parent']}", f"cluster={client.cluster}")
        limits = ",".join(f"{k}={v}" for k, v in sorted(t["limits"].items()))
        client.sacctmgr(
            "modify", "account", "where", f"name={t['account']}", f"cluster={client.cluster}",
            "set", f"GrpTRESMins={limits}",
        )  # fmt: skip
        calls += 2
        for login in t["users"]:
            client.sacctmgr("add", "user", login, f"account={t['account']}", f"cluster={client.cluster}")
            calls += 1
    return calls


def baseline_calls(targets: list[dict]) -> int:
    return len({t["parent"] for t in targets}) + sum(2 + len(t["users"]) for t in targets)


def check(client: SlurmClient, targets: list[dict]) -> None:
    snap = read_snapshot(client)
    wrong = [t["account"] for t in targets if snap.actual(t["cluster"], t["account"]) != t]
    assert not wrong, f"{len(wrong)} accounts differ from their targets, e.g. {wrong[:3]}"


def start_cluster(name: str) -> tuple[Path, str, str]:
    directory = Path(tempfile.mkdtemp(prefix="mesocentre-bench-slurm-", dir="/tmp"))
    t0 = time.perf_counter()
    out = subprocess.run(
        [str(ROOT / "scripts" / "slurm.sh"), "start", str(directory), "0", name],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    print(f"started a private Slurm in {time.perf_counter() - t0:.1f} s ({values['SLURM_CONF']})")
    return directory, values["SLURM_CONF"], values["SLURM_CLUSTER"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="projects pushed by apply_many (default 2000)")
    parser.add_argument("--establishments", type=int, default=20)
    parser.add_argument("--grants", type=int, default=50, help="distinct grant sizes (default 50)")
    parser.add_argument("--users", type=int, default=2, help="members per project (default 2)")
    parser.add_argument("--sample", type=int, default=100, help="projects of the measured baseline (default 100)")
    parser.add_argument("--slurm-conf")
    parser.add_argument("--cluster", default="benchslurm")
    args = parser.parse_args()

    started = None
    if not args.slurm_conf:
        started, args.slurm_conf, args.cluster = start_cluster(args.cluster)
    subprocess.run = counting_run  # count every sacctmgr round trip, whoever makes it
    try:
        spec = ClusterSpec(args.cluster, args.slurm_conf)
        client = spec.client(timeout=900)
        shape = (args.establishments, args.grants, args.users)
        targets = make_targets(args.cluster, "b", args.n, *shape)

        tx0, CALLS["sacctmgr"] = client.transactions_count(), 0
        t0 = time.perf_counter()
        results = apply_many(targets, clusters={args.cluster: spec})
        batched = time.perf_counter() - t0
        batched_calls = CALLS["sacctmgr"]
        tx1 = client.transactions_count()
        assert sum(r["created"] for r in results.values()) == args.n
        check(client, targets)
        CALLS["sacctmgr"] = 0
        t0 = time.perf_counter()
        replay = apply_many(targets, clusters={args.cluster: spec})
        replayed = time.perf_counter() - t0
        replay_calls = CALLS["sacctmgr"]
        assert not any(r["changed"] for r in replay.values()) and client.transactions_count() == tx1

        sample = make_targets(args.cluster, "s", args.sample, *shape)
        t0 = time.perf_counter()
        sample_calls = one_call_per_change(client, sample)
        sampled = time.perf_counter() - t0
        check(client, sample)
        per_call = sampled / sample_calls
        full_calls = baseline_calls(targets)
        extrapolated = per_call * full_calls

        print(f"{args.n} projects under {args.establishments} establishments, {args.grants} distinct grants, "
              f"{args.users} members each")  # fmt: skip
        print(f"  apply_many        : {batched:7.2f} s, {batched_calls} sacctmgr calls, {tx1 - tx0} transactions")
        print(f"  apply_many replay : {replayed:7.2f} s, {replay_calls} sacctmgr call(s), 0 transactions (converged)")
        print(f"  one call / change : {sampled:7.2f} s MEASURED for a sample of {args.sample} projects "
              f"({sample_calls} calls, {per_call:.3f} s per call)")  # fmt: skip
        print(f"  one call / change : {extrapolated:7.1f} s EXTRAPOLATED to {args.n} projects "
              f"({full_calls} calls × {per_call:.3f} s)")  # fmt: skip
        print(f"ratio: apply_many is {extrapolated / batched:.0f}x faster than one sacctmgr call per change")
    finally:
        subprocess.run = _run
        if started:
            subprocess.run([str(ROOT / "scripts" / "slurm.sh"), "stop", str(started)], capture_output=True)
            shutil.rmtree(started, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
