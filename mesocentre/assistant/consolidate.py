"""A whole set of VMs on as few hosts as possible (an instance: no VM placed yet, every copy new).

The model (CP-SAT): ``at[copy, host]`` booleans over the hosts each copy may use (maintenance, pinned site, its
size), ``used[host]``; each copy on one host; each host's copies within its usable capacity of each resource times
``used[host]``; a gold VM's primary and standby on two sites; at most one copy of an anti-affinity group per host;
minimise the hosts used. Identical hosts (same site, same usable capacities) are interchangeable: ``used`` is
ordered among them (symmetry breaking). The first-fit-decreasing solution is the hint.

Small instances are solved whole. Large ones (more than ``WHOLE_LIMIT`` copy × host pairs) are improved from the
greedy solution by large-neighbourhood search: a few of the least-filled hosts and a few random ones are emptied and
their copies re-placed among them by the same model, minimising the hosts used there, until the time limit or the
lower bound. Either way the answer is what was reached, not a proof of optimality (``optimal`` says when it is).

The lower bound: for a resource ``r`` and a set of hosts, ``fewest(d, hosts)`` is the smallest ``k`` such that the
``k`` largest usable capacities of ``r`` among them sum to at least ``d`` (no ``k`` hosts hold more; with identical
hosts it is ⌈d / capacity⌉). A host's capacity there is what its copies can fill: what it holds is a sum of VM sizes,
so a multiple of their greatest common divisor ``g[r]``, and it holds at most its usable capacity rounded down to a
multiple of ``g[r]`` (VMs of 32 GB of RAM fill 352 GB of a host's 368, never more). With ``demand[r]`` the sum over VMs of ``r``, a gold VM counted twice, over the hosts
not in maintenance: ``total = max_r fewest(demand[r], all hosts)``. Per site ``s`` (with exactly two sites),
``site(s) = max_r fewest(pinned[s][r], hosts of s)``, ``pinned[s]`` holding the VMs pinned to ``s`` and the gold
standbys of the VMs pinned to the other site. The bound is the largest of ``total``, ``site(1) + site(2)`` and the
copies of the largest anti-affinity group (one host each).
"""

import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from mesocentre.assistant.formats import State

WHOLE_LIMIT = 200_000  # copy × host pairs solved as one model


class Unplaceable(RuntimeError):
    pass


@dataclass(frozen=True)
class Copy:
    vm: int  # index in state.vms
    standby: bool


@dataclass
class Result:
    placements: dict[str, dict]
    hosts_used: int
    lower_bound: int
    optimal: bool
    method: str
    greedy_hosts: int | None = None

    def as_dict(self) -> dict:
        return {"placements": self.placements, "hosts_used": self.hosts_used, "lower_bound": self.lower_bound}


def lower_bound(state: State) -> int:
    hosts = [h for h in state.hosts if not h.maintenance] or list(state.hosts)

    def fewest(demand: int, capacities: list[int]) -> float:
        """The fewest hosts whose usable capacities can sum to ``demand``: the largest ones first."""
        total = 0
        for count, capacity in enumerate(sorted(capacities, reverse=True), start=1):
            if total >= demand:
                return count - 1
            total += capacity
        return len(capacities) if total >= demand else math.inf

    # Every host's load of a resource is a sum of VM sizes: a multiple of their gcd (0 when all are 0: no rounding).
    step = [math.gcd(*(vm.size[i] for vm in state.vms)) if state.vms else 0 for i in range(3)]

    def fillable(capacity: int, i: int) -> int:
        return capacity - capacity % step[i] if step[i] else capacity

    def bound(demand, pool):
        return max(fewest(demand[i], [fillable(h.usable[i], i) for h in pool]) for i in range(3))

    demand = [sum(vm.size[i] * (2 if vm.gold else 1) for vm in state.vms) for i in range(3)]
    best = bound(demand, hosts)
    sites = state.sites
    if len(sites) == 2:
        per_site = 0
        for site, other in (sites, sites[::-1]):
            pinned = [0, 0, 0]
            for vm in state.vms:
                if vm.site == site or (vm.gold and vm.site == other):
                    for i in range(3):
                        pinned[i] += vm.size[i]
            per_site += bound(pinned, [h for h in hosts if h.site == site])
        best = max(best, per_site)
    groups = defaultdict(int)
    for vm in state.vms:
        if vm.group is not None:
            groups[vm.group] += 2 if vm.gold else 1
    best = max(best, max(groups.values(), default=0))
    return int(best) if best != math.inf else len(state.hosts) + 1


def _copies(state: State) -> list[Copy]:
    return [Copy(v, s) for v, vm in enumerate(state.vms) for s in ((False, True) if vm.gold else (False,))]


def _norm(state: State):
    top = [max(max(h.usable[i] for h in state.hosts), 1) for i in range(3)]
    return lambda size: max(size[i] / top[i] for i in range(3))


def first_fit_decreasing(state: State) -> dict[Copy, int]:
    """Largest VM first (its largest share of the largest host), constrained ones first among equals; each copy on
    the first host, biggest hosts first, that takes it under every rule."""
    norm = _norm(state)
    order = sorted(
        range(len(state.vms)),
        key=lambda v: (-norm(state.vms[v].size), not state.vms[v].gold, state.vms[v].site is None),
    )
    hosts = sorted(
        (h for h in range(len(state.hosts)) if not state.hosts[h].maintenance),
        key=lambda h: tuple(-x for x in state.hosts[h].usable[::-1]),
    )
    free = [list(h.usable) for h in state.hosts]
    sites = [h.site for h in state.hosts]
    taken = set()  # (group, host)
    where: dict[Copy, int] = {}

    def fit(vm, site_ok):
        for h in hosts:
            if not site_ok(sites[h]):
                continue
            f = free[h]
            if f[0] >= vm.size[0] and f[1] >= vm.size[1] and f[2] >= vm.size[2]:
                if vm.group is None or (vm.group, h) not in taken:
                    return h
        return None

    for v in order:
        vm = state.vms[v]
        primary = fit(vm, lambda s, pin=vm.site: pin is None or s == pin)
        if primary is None:
            raise Unplaceable(vm.name)
        _take(free, taken, vm, primary)
        where[Copy(v, False)] = primary
        if vm.gold:
            standby = fit(vm, lambda s, p=sites[primary]: s != p)
            if standby is None:
                raise Unplaceable(vm.name)
            _take(free, taken, vm, standby)
            where[Copy(v, True)] = standby
    return where


def _take(free, taken, vm, h):
    for i in range(3):
        free[h][i] -= vm.size[i]
    if vm.group is not None:
        taken.add((vm.group, h))


def solve_part(
    state: State,
    hosts: list[int],
    copies: list[Copy],
    fixed: dict[Copy, int],
    hint: dict[Copy, int] | None,
    time_limit: float,
    workers: int = 2,
) -> tuple[dict[Copy, int] | None, bool]:
    """``copies`` on ``hosts`` (emptied of anything else), the partners in ``fixed`` staying where they are; the
    fewest hosts used. Returns the placement (None if none found) and whether it is proven optimal."""
    m = cp_model.CpModel()
    vms, sites = state.vms, [h.site for h in state.hosts]
    used = {h: m.NewBoolVar(f"used[{h}]") for h in hosts}
    at: dict[tuple[Copy, int], cp_model.IntVar] = {}
    by_host = defaultdict(list)
    for copy in copies:
        vm = vms[copy.vm]
        partner = fixed.get(Copy(copy.vm, not copy.standby))
        domain = []
        for h in hosts:
            host = state.hosts[h]
            if host.maintenance or any(vm.size[i] > host.usable[i] for i in range(3)):
                continue
            if not copy.standby and vm.site is not None and host.site != vm.site:
                continue
            if partner is not None and sites[partner] == host.site:
                continue
            var = m.NewBoolVar("")
            at[copy, h] = var
            by_host[h].append((copy, var))
            domain.append(var)
        if not domain:
            return None, True
        m.AddExactlyOne(domain)
    for h, items in by_host.items():
        usable = state.hosts[h].usable
        for i in range(3):
            m.Add(sum(vms[c.vm].size[i] * var for c, var in items) <= usable[i] * used[h])
        groups = defaultdict(list)
        for c, var in items:
            if vms[c.vm].group is not None:
                groups[vms[c.vm].group].append(var)
        for members in groups.values():
            if len(members) > 1:
                m.AddAtMostOne(members)
    # A gold VM's two copies, both re-placed here: on two sites.
    placed = {c for c in copies}
    for c in copies:
        if c.standby and Copy(c.vm, False) in placed:
            per_site = defaultdict(list)
            for h in hosts:
                for cc in (Copy(c.vm, False), c):
                    if (cc, h) in at:
                        per_site[sites[h]].append(at[cc, h])
            for lits in per_site.values():
                m.AddAtMostOne(lits)
    # Symmetry: identical hosts are used in order.
    classes = defaultdict(list)
    for h in hosts:
        host = state.hosts[h]
        classes[(host.site, host.usable, host.maintenance)].append(h)
    for members in classes.values():
        for a, b in zip(members, members[1:], strict=False):
            m.Add(used[a] >= used[b])
    m.Minimize(sum(used.values()))
    if hint:
        # The hint, renamed so that it respects the symmetry breaking: within a class, the used hosts come first.
        for (copy, h), var in at.items():
            m.AddHint(var, hint.get(copy) == h)
        hinted = {h for h in hint.values()}
        for h in hosts:
            m.AddHint(used[h], h in hinted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status == cp_model.INFEASIBLE
    return {copy: h for (copy, h), var in at.items() if solver.Value(var)}, status == cp_model.OPTIMAL


def _canonical(state: State, hosts: list[int], where: dict[Copy, int]) -> dict[Copy, int]:
    """The same packing with, in each class of identical hosts, the used hosts first (what symmetry breaking wants)."""
    classes = defaultdict(list)
    for h in hosts:
        host = state.hosts[h]
        classes[(host.site, host.usable, host.maintenance)].append(h)
    used = set(where.values())
    rename = {}
    for members in classes.values():
        busy = [h for h in members if h in used]
        rename.update(zip(busy, members[: len(busy)], strict=True))
    return {c: rename[h] for c, h in where.items()}


def consolidate(state: State, time_limit: float = 30.0, workers: int = 2, seed: int = 0) -> Result:
    start = time.monotonic()
    bound = lower_bound(state)
    copies = _copies(state)
    all_hosts = list(range(len(state.hosts)))
    try:
        greedy = first_fit_decreasing(state)
    except Unplaceable:
        greedy = None
    greedy_hosts = len(set(greedy.values())) if greedy else None
    if len(copies) * len(all_hosts) <= WHOLE_LIMIT or greedy is None:
        hint = _canonical(state, all_hosts, greedy) if greedy else None
        where, optimal = solve_part(state, all_hosts, copies, {}, hint, time_limit, workers)
        if where is None:
            if greedy is None:
                raise Unplaceable("no placement found for every VM under every rule")
            where, optimal = greedy, False
        method = "cp-sat"
    else:
        where, optimal = _lns(state, greedy, bound, start + time_limit, workers, seed), False
        method = "greedy+lns"
    hosts_used = len(set(where.values()))
    optimal = optimal or hosts_used == bound
    placements = {}
    for v, vm in enumerate(state.vms):
        standby = where.get(Copy(v, True))
        placements[vm.name] = {
            "host": state.hosts[where[Copy(v, False)]].name,
            "standby_host": state.hosts[standby].name if standby is not None else None,
        }
    return Result(placements, hosts_used, bound, optimal, method, greedy_hosts)


def _lns(state: State, where: dict[Copy, int], bound: int, deadline: float, workers: int, seed: int):
    """Empty a neighbourhood of hosts (the least filled, a few at random) and re-pack their copies among them."""
    rng = random.Random(seed)
    norm = _norm(state)
    where = dict(where)
    size = 24
    while time.monotonic() < deadline - 0.5 and len(set(where.values())) > bound:
        on = defaultdict(list)
        for copy, h in where.items():
            on[h].append(copy)
        fill = {h: sum(norm(state.vms[c.vm].size) for c in cs) for h, cs in on.items()}
        ranked = sorted(on, key=fill.get)
        light = ranked[: size // 2]
        rest = ranked[size // 2 :]
        chosen = light + rng.sample(rest, min(len(rest), size - len(light)))
        chosen_set = set(chosen)
        part = [c for h in chosen for c in on[h]]
        fixed = {c: h for c, h in where.items() if h not in chosen_set}
        before = len(chosen)
        budget = min(10.0, deadline - time.monotonic() - 0.5)
        if budget <= 0.2:
            break
        hint = _canonical(state, chosen, {c: where[c] for c in part})
        new, _ = solve_part(state, chosen, part, fixed, hint, budget, workers)
        if new is not None and len(set(new.values())) < before:
            where.update(new)
        elif size < 60:
            size += 4  # nothing gained here: look wider
    return where
