"""Benchmark of the decision assistant on a file-mode instance: 10 000 VMs, 500 hosts, two sites.

    python bench/placement.py [--vms 10000] [--hosts 500] [--time-limit 60] [--seed 1] [--mix services|large]

In one run: the lower bound (consolidate.lower_bound), an OpenStack-Nova-style filter-and-weigher greedy placement
(the baseline, arrival order, RAM weigher spreading and stacking), the assistant's consolidation (first fit
decreasing, then CP-SAT large-neighbourhood search until the time limit), each certified by the checker; then the
time to explain an infeasible request against the consolidated state (CP-SAT core + deletion filter, the checker's
certificate, and the largest VM that fits).
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")

import django  # noqa: E402

django.setup()

from mesocentre.assistant import checker  # noqa: E402
from mesocentre.assistant.consolidate import consolidate, lower_bound  # noqa: E402
from mesocentre.assistant.formats import parse_state  # noqa: E402
from mesocentre.assistant.services import place_request  # noqa: E402

R = ("vcpu", "ram_gb", "disk_gb")
# (vcpu, ram_gb, disk_gb, weight): small services dominate, a few large ones.
FLAVORS = [
    (1, 2, 20, 20),
    (2, 4, 40, 25),
    (2, 8, 80, 15),
    (4, 8, 80, 12),
    (4, 16, 160, 10),
    (8, 16, 160, 6),
    (8, 32, 320, 6),
    (16, 64, 500, 4),
    (32, 128, 1000, 2),
]
# --mix large: fewer, larger VMs (a third of a host and more), where first fit leaves holes.
LARGE = [
    (8, 32, 320, 10),
    (16, 64, 500, 10),
    (16, 96, 500, 8),
    (32, 128, 1000, 8),
    (32, 192, 1000, 5),
    (48, 256, 2000, 3),
]


def make_instance(n_vms: int, n_hosts: int, seed: int, flavors=FLAVORS) -> dict:
    rng = random.Random(seed)
    hosts = []
    for i in range(n_hosts):
        site = "1" if i < n_hosts * 3 // 5 else "2"
        big = i % 5 == 0
        hosts.append(
            {
                "name": f"s{site}-h{i:03d}",
                "site": site,
                "vcpu": 96 if big else 64,
                "ram_gb": 768 if big else 384,
                "disk_gb": 16000 if big else 8000,
                "reserved": {"vcpu": 4, "ram_gb": 16, "disk_gb": 200},
                "ratios": {"vcpu": 4.0, "ram_gb": 1.0, "disk_gb": 1.0},
                "maintenance": i % 97 == 3,
            }
        )
    weights = [f[3] for f in flavors]
    vms = []
    groups = [f"group-{g}" for g in range(n_vms // 30)]
    for i in range(n_vms):
        vcpu, ram, disk, _ = rng.choices(flavors, weights)[0]
        tier = rng.choices(["bronze", "silver", "gold"], [60, 25, 15])[0]
        pin = rng.random()
        vms.append(
            {
                "name": f"vm-{i:05d}",
                "vcpu": vcpu,
                "ram_gb": ram,
                "disk_gb": disk,
                "tier": tier,
                "group": rng.choice(groups) if rng.random() < 0.1 else None,
                "site": "1" if pin < 0.08 else ("2" if pin < 0.1 else None),
            }
        )
    return {"hosts": hosts, "vms": vms}


def nova(instance: dict, stack: bool) -> dict:
    """Filter (RAM, vCPU, disk against usable capacity; availability zone for a pin; disabled hosts; the server
    group's anti-affinity), then weigh by free RAM: the most (spreading, Nova's default) or the least (stacking).
    Requests in arrival order; a gold VM's standby is a second request on the other site."""
    hosts = instance["hosts"]
    free = [[checker.usable(h)[r] for r in R] for h in hosts]
    groups: dict[str, set[int]] = {}
    placements = {}
    for vm in instance["vms"]:
        size = [vm[r] for r in R]
        chosen = []
        for copy in ("primary", "standby") if vm["tier"] == "gold" else ("primary",):
            best, best_ram = None, None
            for i, host in enumerate(hosts):
                if host["maintenance"] or any(free[i][k] < size[k] for k in range(3)):
                    continue
                if copy == "primary" and vm["site"] is not None and host["site"] != vm["site"]:
                    continue
                if copy == "standby" and host["site"] == hosts[chosen[0]]["site"]:
                    continue
                if vm["group"] is not None and i in groups.get(vm["group"], ()):
                    continue
                ram = free[i][1]
                if best is None or (ram < best_ram if stack else ram > best_ram):
                    best, best_ram = i, ram
            if best is None:
                return f"No valid host was found for {vm['name']}, request {len(placements) + 1}"
            chosen.append(best)
            for k in range(3):
                free[best][k] -= size[k]
            if vm["group"] is not None:
                groups.setdefault(vm["group"], set()).add(best)
        placements[vm["name"]] = {
            "host": hosts[chosen[0]]["name"],
            "standby_host": hosts[chosen[1]]["name"] if len(chosen) > 1 else None,
        }
    return placements


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", choices=("services", "large"), default="services", help="the VMs' sizes")
    args = parser.parse_args()

    instance = make_instance(args.vms, args.hosts, args.seed, FLAVORS if args.mix == "services" else LARGE)
    state = parse_state(instance, placed=False)
    gold = sum(vm.gold for vm in state.vms)
    grouped = sum(vm.group is not None for vm in state.vms)
    pinned = sum(vm.site is not None for vm in state.vms)
    demand = [sum(vm.size[i] * (2 if vm.gold else 1) for vm in state.vms) for i in range(3)]
    usable = [sum(h.usable[i] for h in state.hosts if not h.maintenance) for i in range(3)]
    print(
        f"{len(state.vms)} VMs ({gold} gold, {grouped} in {len({v.group for v in state.vms} - {None})} anti-affinity "
        f"groups, {pinned} pinned) on {len(state.hosts)} hosts ({sum(h.maintenance for h in state.hosts)} in "
        f"maintenance), two sites; demand / usable capacity: "
        + ", ".join(f"{r} {d / u:.0%}" for r, d, u in zip(R, demand, usable, strict=True))
    )
    bound = lower_bound(state)
    print(f"lower bound: {bound} hosts")

    rows = []
    for label, stack in (
        ("Nova-style, spreading (RAM weigher +1)", False),
        ("Nova-style, stacking (RAM weigher -1)", True),
    ):
        t = time.perf_counter()
        placements = nova(instance, stack)
        elapsed = time.perf_counter() - t
        if isinstance(placements, str):
            rows.append((label, placements, elapsed))
            continue
        used = len({p[k] for p in placements.values() for k in ("host", "standby_host") if p[k]})
        checker.check_consolidation(instance, {"placements": placements, "hosts_used": used, "lower_bound": bound})
        rows.append((label, used, elapsed))

    t = time.perf_counter()
    result = consolidate(state, time_limit=args.time_limit)
    elapsed = time.perf_counter() - t
    t = time.perf_counter()
    checker.check_consolidation(instance, result.as_dict())
    check_time = time.perf_counter() - t
    rows.insert(0, ("assistant: first fit decreasing (as hint)", result.greedy_hosts, None))
    rows.insert(1, (f"assistant: {result.method}, time limit {args.time_limit:g} s", result.hosts_used, elapsed))

    print(f"\n| placement | hosts used | vs lower bound ({bound}) | time |")
    print("| --- | --- | --- | --- |")
    for label, used, seconds in rows:
        when = f"{seconds:.1f} s" if seconds is not None else "(in the line below)"
        if isinstance(used, str):  # the baseline gave up
            print(f"| {label} | {used} | — | {when} |")
        else:
            print(f"| {label} | {used} | {used / bound:.3f}× (+{used - bound}) | {when} |")
    print(f"checker on the consolidation: {check_time:.2f} s")

    # An infeasible request against the consolidated state.
    placed = {"hosts": instance["hosts"], "vms": []}
    for vm in instance["vms"]:
        placed["vms"].append({**vm, **result.placements[vm["name"]]})
    request = {
        "name": "big-gold",
        "vcpu": 16,
        "ram_gb": 700,
        "disk_gb": 2000,
        "tier": "gold",
        "group": instance["vms"][0]["group"] or "group-0",
        "site": "1",
    }
    for label, largest in (("explanation (core, deletion filter, checker)", False), ("with the largest VM too", True)):
        t = time.perf_counter()
        answer = place_request(placed, request, largest=largest)
        seconds = time.perf_counter() - t
        print(f"{label}: {seconds:.2f} s")
    assert not answer["feasible"]
    for item in answer["explanation"]:
        print(f"  [{item['rule']}] {item['text']}")
    print(f"  largest that fits now: {answer['largest']}")


if __name__ == "__main__":
    main()
