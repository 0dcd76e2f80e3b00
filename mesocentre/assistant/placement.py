"""Where one VM goes, decided exactly by a CP-SAT model whose every rule is one named switch literal.

Variables: ``primary[h]`` and, in gold, ``standby[h]`` (one host each). Rules, each enforced only if its switch is
true (``OnlyEnforceIf``), the switches assumed true (``AddAssumptions``):

    capacity:<vcpu|ram|disk>:<site>  that resource's usable capacity on every host of that site (copies of the
                                     state, primaries and standbys alike, plus the new VM's copies there)
    capacity:backup:<site>           that site's backup pool (a state's ``pools``): the backups of the silver and
                                     gold VMs it holds plus, for a silver or gold request whose primary is on a site
                                     whose backups go there (``State.backup_site_of``), the request's disk size
    gold_standby                     a gold VM's standby on a site other than its primary's
    anti_affinity:<group>            none of the new VM's copies on a host holding a copy of a member of its group,
                                     and its primary and standby not on one host
    maintenance:<host>               that host takes no new copy (it keeps what it holds)
    site_pin                         the VM's primary on its pinned site

Without any rule a VM is always placeable (a standby may then share its primary's host), so an infeasible request
has a non-empty minimal set of rules: CP-SAT's core (``SufficientAssumptionsForInfeasibility``), shrunk by the
deletion filter — drop one literal, re-solve, keep it out if still infeasible — until each remaining one is needed.

A request whose name is a VM of the state is a resize or a move: that VM's copies are freed first.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from mesocentre.assistant.formats import MINIMUM, RESOURCES, SHORT, VM, State

TIME_LIMIT = 10.0  # seconds, per solve of a single request (a few ms in practice)


class SolverError(RuntimeError):
    """The solver gave no proof either way within its time limit."""


@dataclass
class Occupancy:
    """What the state's copies hold: per host, the resources used; per group, the hosts holding its copies."""

    used: dict[str, list[int]]
    group_hosts: dict[str, Counter]
    pool_used: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, state: State, skip: str | None = None) -> "Occupancy":
        used = {host.name: [0, 0, 0] for host in state.hosts}
        group_hosts: dict[str, Counter] = defaultdict(Counter)
        pool_used = dict.fromkeys((site for site, _gb in state.pools), 0)
        for vm in state.vms:
            if vm.name == skip or vm.host is None:
                continue
            backup = vm.backup_site or state.backup_site_of(state.host(vm.host).site)
            if vm.backed_up and backup is not None:
                pool_used[backup] += vm.size[2]
            for copy in (vm.host, vm.standby_host):
                if copy is None:
                    continue
                row = used[copy]
                for i in range(3):
                    row[i] += vm.size[i]
                if vm.group is not None:
                    group_hosts[vm.group][copy] += 1
        return cls(used, group_hosts, pool_used)

    def free(self, state: State, host: str) -> list[int]:
        usable = state.host(host).usable
        return [usable[i] - self.used[host][i] for i in range(3)]

    def pool_free(self, state: State, site: str) -> int:
        return dict(state.pools)[site] - self.pool_used[site]


def rules_of(state: State, vm: VM) -> list[str]:
    """Every rule that applies to this request, in a stable order."""
    rules = [f"capacity:{SHORT[r]}:{site}" for site in state.sites for r in RESOURCES]
    if vm.backed_up:
        rules += [f"capacity:backup:{site}" for site, _gb in state.pools]
    if vm.gold:
        rules.append("gold_standby")
    if vm.group is not None:
        rules.append(f"anti_affinity:{vm.group}")
    rules += [f"maintenance:{host.name}" for host in state.hosts if host.maintenance]
    if vm.site is not None:
        rules.append("site_pin")
    return rules


@dataclass
class Model:
    model: cp_model.CpModel
    primary: dict[str, cp_model.IntVar]
    standby: dict[str, cp_model.IntVar]
    switches: dict[str, cp_model.IntVar]
    size_var: cp_model.IntVar | None = None


def build(state: State, vm: VM, occ: Occupancy, free_resource: str | None = None) -> Model:
    """The model of one request; with ``free_resource``, that resource's size is a variable to maximise."""
    m = cp_model.CpModel()
    names = [host.name for host in state.hosts]
    primary = {h: m.NewBoolVar(f"primary[{h}]") for h in names}
    standby = {h: m.NewBoolVar(f"standby[{h}]") for h in names} if vm.gold else {}
    m.AddExactlyOne(primary.values())
    if vm.gold:
        m.AddExactlyOne(standby.values())
    switches = {rule: m.NewBoolVar(rule) for rule in rules_of(state, vm)}
    by_site = defaultdict(list)
    for host in state.hosts:
        by_site[host.site].append(host.name)

    size_var = None
    if free_resource is not None:
        top = max(max(host.usable[RESOURCES.index(free_resource)] for host in state.hosts), MINIMUM[free_resource])
        size_var = m.NewIntVar(MINIMUM[free_resource], top, f"size[{free_resource}]")
        m.Maximize(size_var)
    for host in state.hosts:
        h = host.name
        free = occ.free(state, h)
        for i, resource in enumerate(RESOURCES):
            switch = switches[f"capacity:{SHORT[resource]}:{host.site}"]
            if resource == free_resource:
                m.Add(size_var <= free[i]).OnlyEnforceIf([switch, primary[h]])
                if vm.gold:
                    m.Add(size_var <= free[i]).OnlyEnforceIf([switch, standby[h]])
                    m.Add(2 * size_var <= free[i]).OnlyEnforceIf([switch, primary[h], standby[h]])
            else:
                copies = primary[h] + standby[h] if vm.gold else primary[h]
                # An over-full host (a state may be: ratios lowered since) takes no copy, whatever its size.
                m.Add(vm.size[i] * copies <= free[i] if free[i] >= 0 else copies == 0).OnlyEnforceIf(switch)
        _backup_pool(m, state, vm, occ, host, primary[h], switches, size_var if free_resource == "disk_gb" else None)
        if host.maintenance:
            m.Add(primary[h] == 0).OnlyEnforceIf(switches[f"maintenance:{h}"])
            if vm.gold:
                m.Add(standby[h] == 0).OnlyEnforceIf(switches[f"maintenance:{h}"])
    if vm.gold:
        for site_hosts in by_site.values():
            m.Add(sum(primary[h] for h in site_hosts) + sum(standby[h] for h in site_hosts) <= 1).OnlyEnforceIf(
                switches["gold_standby"]
            )
    if vm.group is not None:
        switch = switches[f"anti_affinity:{vm.group}"]
        taken = occ.group_hosts.get(vm.group, Counter())
        for h in names:
            copies = primary[h] + standby[h] if vm.gold else primary[h]
            m.Add(copies <= (0 if taken[h] else 1)).OnlyEnforceIf(switch)
    if vm.site is not None:
        m.Add(sum(primary[h] for h in by_site[vm.site]) == 1).OnlyEnforceIf(switches["site_pin"])
    if free_resource is None:
        # Best fit: of the hosts that take it, those with the least RAM left (the others stay open for large VMs).
        ram = RESOURCES.index("ram_gb")
        m.Minimize(sum(max(occ.free(state, h)[ram], 0) * (primary[h] + (standby[h] if vm.gold else 0)) for h in names))
    return Model(m, primary, standby, switches, size_var)


def _backup_pool(m, state: State, vm: VM, occ: Occupancy, host, primary, switches, disk_var) -> None:
    """A silver or gold primary on ``host`` puts the VM's disk in the pool its site's backups go to."""
    pool = state.backup_site_of(host.site) if vm.backed_up else None
    if pool is None:
        return
    switch, free = switches[f"capacity:backup:{pool}"], occ.pool_free(state, pool)
    if disk_var is not None:
        m.Add(disk_var <= free).OnlyEnforceIf([switch, primary])
    elif vm.size[2] > free:
        m.Add(primary == 0).OnlyEnforceIf(switch)


def _solver() -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # cores (assumptions) come from the sequential search; a request is small
    solver.parameters.max_time_in_seconds = TIME_LIMIT
    return solver


def _solve(built: Model, rules: list[str]) -> tuple[cp_model.CpSolver, int]:
    built.model.ClearAssumptions()
    built.model.AddAssumptions([built.switches[rule] for rule in rules])
    solver = _solver()
    status = solver.Solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
        raise SolverError(f"no answer within {TIME_LIMIT} s (status {solver.StatusName(status)})")
    return solver, status


@dataclass
class Answer:
    feasible: bool
    host: str | None = None
    standby_host: str | None = None
    backup_site: str | None = None
    rules: list[str] = field(default_factory=list)  # a minimal set of rules that forbid the request
    largest: dict[str, int | None] | None = None


def place(state: State, vm: VM, largest: bool = True) -> Answer:
    occ = Occupancy.of(state, skip=vm.name)
    built = build(state, vm, occ)
    rules = list(built.switches)
    solver, status = _solve(built, rules)
    if status != cp_model.INFEASIBLE:
        host = next(h for h, var in built.primary.items() if solver.Value(var))
        standby = next((h for h, var in built.standby.items() if solver.Value(var)), None)
        backup = state.backup_site_of(state.host(host).site) if vm.backed_up else None
        answer = Answer(True, host, standby, backup)
    else:
        answer = Answer(False, rules=minimal_core(built, solver))
    if largest:
        answer.largest = largest_fitting(state, vm, occ)
    return answer


def minimal_core(built: Model, solver: cp_model.CpSolver) -> list[str]:
    """CP-SAT's core, shrunk by the deletion filter until each of its rules is needed."""
    rule_of = {var.Index(): rule for rule, var in built.switches.items()}
    core = [rule_of[index] for index in solver.SufficientAssumptionsForInfeasibility()]
    if not core:  # the sequential search proved it without assumptions in the core: start from all the rules
        core = list(built.switches)
    i = 0
    while i < len(core):
        trial = core[:i] + core[i + 1 :]
        trial_solver, status = _solve(built, trial)
        if status == cp_model.INFEASIBLE:
            # Still forbidden without core[i]: drop it, and keep only what the new core needs (order kept). The rules
            # before i stay: each was needed in a larger set, so it is needed in any subset that still forbids.
            smaller = {rule_of[index] for index in trial_solver.SufficientAssumptionsForInfeasibility()}
            core = [rule for rule in trial if rule in smaller] if smaller >= set(trial[:i]) else trial
        else:
            i += 1
    return core


def largest_fitting(state: State, vm: VM, occ: Occupancy) -> dict[str, int | None]:
    """Per resource, the largest size of it a VM of this tier, group and site could take now under every rule, its
    other two resources as requested; None when none fits whatever that resource's size."""
    result = {}
    for resource in RESOURCES:
        built = build(state, vm, occ, free_resource=resource)
        solver, status = _solve(built, list(built.switches))
        result[resource] = None if status == cp_model.INFEASIBLE else int(solver.Value(built.size_var))
    return result
