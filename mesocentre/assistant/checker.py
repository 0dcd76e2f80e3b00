"""The certificates: an independent re-verification of the assistant's answers, on the plain JSON dicts.

It shares no code with the model (nothing from placement.py or formats.py) and reads the rules as they are written:
usable = floor((total − reserved) × ratio); used = every copy of the state (primary and standby), the request's
own former copies freed when it is a resize; a host in maintenance takes no new copy; a gold standby on another site
than its primary; no two copies of a group's members on one host; a pinned VM's primary on its site; a silver or gold
VM's disk in the backup pool of the first site of the state's "pools" that is not its primary's, each pool holding
at most its GB (a placed VM's backups where its "backup_site" says, else where that rule puts them).
An explanation is certified when no (host, standby host) pair satisfies the rules it names, and dropping any one of
them lets some pair through. Each check raises ``Refused`` with the reason, or returns quietly.
"""

from fractions import Fraction
from math import floor

RES = ("vcpu", "ram_gb", "disk_gb")
WORD = {"vcpu": "vcpu", "ram_gb": "ram", "disk_gb": "disk"}
LEAST = {"vcpu": 1, "ram_gb": 1, "disk_gb": 0}
KEEPS_BACKUPS = ("silver", "gold")


class Refused(Exception):
    pass


def usable(host):
    return {r: floor((host[r] - host["reserved"][r]) * Fraction(str(host["ratios"][r]))) for r in RES}


def copies_of(vm):
    return [h for h in (vm.get("host"), vm.get("standby_host")) if h is not None]


class World:
    """The free room and group members per host, with ``skip`` (a VM being resized) taken out."""

    def __init__(self, state, skip=None):
        self.hosts = {h["name"]: h for h in state["hosts"]}
        self.free = {name: usable(h) for name, h in self.hosts.items()}
        self.pools = [p["site"] for p in state.get("pools", [])]
        self.pool_free = {p["site"]: p["backup_gb"] for p in state.get("pools", [])}
        self.groups = {}
        for vm in state["vms"]:
            if vm["name"] == skip:
                continue
            if vm["tier"] in KEEPS_BACKUPS and vm.get("host") is not None:
                pool = vm.get("backup_site") or self.pool_for(vm["host"])
                if pool is not None:
                    self.pool_free[pool] -= vm["disk_gb"]
            for name in copies_of(vm):
                for r in RES:
                    self.free[name][r] -= vm[r]
                if vm.get("group") is not None:
                    self.groups.setdefault(vm["group"], set()).add(name)

    def pool_for(self, primary):
        """The pool a silver or gold VM's backups go to when its primary is on host ``primary``."""
        site = self.hosts[primary]["site"]
        return next((pool for pool in self.pools if pool != site), None)

    def applicable(self, vm):
        rules = {f"capacity:{WORD[r]}:{h['site']}" for h in self.hosts.values() for r in RES}
        if vm["tier"] in KEEPS_BACKUPS:
            rules |= {f"capacity:backup:{pool}" for pool in self.pools}
        rules |= {f"maintenance:{n}" for n, h in self.hosts.items() if h["maintenance"]}
        if vm["tier"] == "gold":
            rules.add("gold_standby")
        if vm.get("group") is not None:
            rules.add(f"anti_affinity:{vm['group']}")
        if vm.get("site") is not None:
            rules.add("site_pin")
        return rules

    def takes(self, name, vm, rules, primary, times=1):
        """May host ``name`` take ``times`` copies of ``vm`` under ``rules``?"""
        host = self.hosts[name]
        for r in RES:
            if f"capacity:{WORD[r]}:{host['site']}" in rules and vm[r] * times > self.free[name][r]:
                return False
        if f"maintenance:{name}" in rules and host["maintenance"]:
            return False
        if f"anti_affinity:{vm.get('group')}" in rules and name in self.groups.get(vm.get("group"), ()):
            return False
        pool = self.pool_for(name) if primary and vm["tier"] in KEEPS_BACKUPS else None
        if pool is not None and f"capacity:backup:{pool}" in rules and vm["disk_gb"] > self.pool_free[pool]:
            return False
        return not (primary and "site_pin" in rules and host["site"] != vm.get("site"))

    def fits(self, vm, primary, standby, rules):
        if not self.takes(primary, vm, rules, True):
            return False
        if vm["tier"] != "gold":
            return standby is None
        if standby is None or not self.takes(standby, vm, rules, False):
            return False
        if "gold_standby" in rules and self.hosts[primary]["site"] == self.hosts[standby]["site"]:
            return False
        if primary == standby:
            return f"anti_affinity:{vm.get('group')}" not in rules and self.takes(primary, vm, rules, True, 2)
        return True

    def placeable(self, vm, rules):
        """Some (primary, standby) pair under ``rules``, by enumeration (hosts filtered one by one first)."""
        firsts = [n for n in self.hosts if self.takes(n, vm, rules, True)]
        if vm["tier"] != "gold":
            return (firsts[0], None) if firsts else None
        seconds = [n for n in self.hosts if self.takes(n, vm, rules, False)]
        for p in firsts:
            for s in seconds:
                if self.fits(vm, p, s, rules):
                    return p, s
        return None


def check_placement(state, vm, host, standby_host, backup_site=None):
    """The request placed on ``host`` (and ``standby_host``, its backups in ``backup_site``) breaks no rule."""
    world = World(state, skip=vm["name"])
    if host not in world.hosts or (standby_host is not None and standby_host not in world.hosts):
        raise Refused(f"{vm['name']}: a host of the answer is not in the state")
    expected = world.pool_for(host) if vm["tier"] in KEEPS_BACKUPS else None
    if backup_site != expected:
        raise Refused(f"{vm['name']}: its backups go to the pool of {expected}, not {backup_site}")
    if not world.fits(vm, host, standby_host, world.applicable(vm)):
        raise Refused(f"{vm['name']} on {host}/{standby_host} breaks a rule: {why(world, vm, host, standby_host)}")


def why(world, vm, primary, standby):
    broken = [r for r in sorted(world.applicable(vm)) if not world.fits(vm, primary, standby, {r})]
    return ", ".join(broken) or "a gold VM needs exactly one standby, a bronze or silver VM none"


def check_explanation(state, vm, rules):
    """``rules`` forbid the request, and each of them is needed."""
    world = World(state, skip=vm["name"])
    unknown = set(rules) - world.applicable(vm)
    if unknown or not rules or len(set(rules)) != len(rules):
        raise Refused(f"the explanation names rules that do not apply to this request: {sorted(unknown) or rules}")
    pair = world.placeable(vm, set(rules))
    if pair is not None:
        raise Refused(f"the rules {rules} do not forbid {vm['name']}: it fits on {pair[0]}/{pair[1]}")
    for rule in rules:
        if world.placeable(vm, set(rules) - {rule}) is None:
            raise Refused(f"the explanation is not minimal: without {rule} the request is still forbidden")


def check_largest(state, vm, largest):
    """Each figure fits under every rule and one more does not (None: not even the least size fits)."""
    world = World(state, skip=vm["name"])
    rules = world.applicable(vm)
    for r in RES:
        value = largest[r]
        if value is None:
            if world.placeable({**vm, r: LEAST[r]}, rules) is not None:
                raise Refused(f"largest {r}: a VM with {LEAST[r]} fits")
            continue
        if world.placeable({**vm, r: value}, rules) is None:
            raise Refused(f"largest {r}: a VM with {value} does not fit")
        if world.placeable({**vm, r: value + 1}, rules) is not None:
            raise Refused(f"largest {r}: a VM with {value + 1} fits too")


def check_consolidation(instance, answer):
    """Every VM placed once under every rule (all its copies are new), ``hosts_used`` right and not below the bound."""
    placements = answer["placements"]
    if set(placements) != {vm["name"] for vm in instance["vms"]}:
        raise Refused("the placements do not name exactly the instance's VMs")
    hosts = {h["name"]: h for h in instance["hosts"]}
    free = {name: usable(h) for name, h in hosts.items()}
    members = set()
    for vm in instance["vms"]:
        primary, standby = placements[vm["name"]]["host"], placements[vm["name"]]["standby_host"]
        if primary not in hosts or (standby is not None and standby not in hosts):
            raise Refused(f"{vm['name']}: a host of the answer is not in the instance")
        if (vm["tier"] == "gold") != (standby is not None):
            raise Refused(f"{vm['name']}: a gold VM has one standby, a bronze or silver VM none")
        if standby is not None and hosts[primary]["site"] == hosts[standby]["site"]:
            raise Refused(f"{vm['name']}: its standby is on its primary's site")
        if vm.get("site") is not None and hosts[primary]["site"] != vm["site"]:
            raise Refused(f"{vm['name']}: its primary is not on its pinned site {vm['site']}")
        for name in (primary, standby):
            if name is None:
                continue
            if hosts[name]["maintenance"]:
                raise Refused(f"{vm['name']}: {name} is in maintenance")
            for r in RES:
                free[name][r] -= vm[r]
                if free[name][r] < 0:
                    raise Refused(f"{name} is over-full in {r} (by {-free[name][r]})")
            if vm.get("group") is not None:
                if (vm["group"], name) in members:
                    raise Refused(f"{name} holds two copies of group {vm['group']}'s members")
                members.add((vm["group"], name))
    used = {p[k] for p in placements.values() for k in ("host", "standby_host") if p[k] is not None}
    if answer["hosts_used"] != len(used):
        raise Refused(f"hosts_used says {answer['hosts_used']}, the placements use {len(used)}")
    if answer["lower_bound"] > len(used):
        raise Refused(f"the lower bound {answer['lower_bound']} is above the hosts used ({len(used)})")
