"""A minimal set of rules told in words a researcher understands, with the figures of the state."""

from django.utils.translation import gettext as _

from mesocentre.assistant.formats import RESOURCES, SHORT, VM, State
from mesocentre.assistant.placement import Occupancy
from mesocentre.core.formatting import number


def _amount(resource: str, value: int) -> str:
    if resource == "vcpu":
        return _("%(n)s vCPU") % {"n": number(value)}
    if resource == "ram_gb":
        return _("%(n)s GB of RAM") % {"n": number(value)}
    return _("%(n)s GB of disk") % {"n": number(value)}


def explain(state: State, vm: VM, rules: list[str]) -> list[dict]:
    occ = Occupancy.of(state, skip=vm.name)
    return [{"rule": rule, "text": _text(state, vm, rules, occ, rule)} for rule in rules]


def _text(state: State, vm: VM, rules: list[str], occ: Occupancy, rule: str) -> str:
    kind, _sep, rest = rule.partition(":")
    if kind == "capacity" and rest.startswith("backup:"):
        return _backup_text(state, vm, occ, rest.partition(":")[2])
    if kind == "capacity":
        word, _sep, site = rest.partition(":")
        resource = next(r for r in RESOURCES if SHORT[r] == word)
        i = RESOURCES.index(resource)
        open_hosts = [h for h in state.hosts if h.site == site and not h.maintenance] or [
            h for h in state.hosts if h.site == site
        ]
        best = max(open_hosts, key=lambda h: occ.free(state, h.name)[i])
        most = max(occ.free(state, best.name)[i], 0)
        figures = {
            "site": site,
            "free": _amount(resource, most),
            "host": best.name,
            "need": _amount(resource, vm.size[i]),
        }
        if vm.gold and "gold_standby" in rules and vm.site is not None and "site_pin" in rules and site != vm.site:
            return (
                _(
                    "Gold needs a standby on site %(site)s; the most free there on one host is %(free)s (%(host)s), "
                    "the VM needs %(need)s."
                )
                % figures
            )
        return _("On site %(site)s, the most free on one host is %(free)s (%(host)s); the VM needs %(need)s.") % figures
    if kind == "gold_standby":
        return _("A gold VM keeps a standby of the same size on the other site than its primary.")
    if kind == "anti_affinity":
        hosts = occ.group_hosts.get(rest, {})
        return _(
            "The VM is in the anti-affinity group %(group)s: none of its copies may share a host with the group's "
            "%(copies)s copies, which hold %(hosts)s hosts, nor its primary with its standby."
        ) % {"group": rest, "copies": number(sum(hosts.values())), "hosts": number(len(hosts))}
    if kind == "maintenance":
        host = state.host(rest)
        free = occ.free(state, rest)
        return _(
            "Host %(host)s (site %(site)s) is in maintenance: it takes no new copy, though %(ram)s and %(vcpu)s are "
            "free there."
        ) % {
            "host": rest,
            "site": host.site,
            "ram": _amount("ram_gb", max(free[1], 0)),
            "vcpu": _amount("vcpu", max(free[0], 0)),
        }
    if kind == "site_pin":
        count = sum(1 for h in state.hosts if h.site == vm.site)
        return _("The VM is pinned to site %(site)s: its primary must run on one of its %(n)s hosts.") % {
            "site": vm.site,
            "n": number(count),
        }
    return rule


def _backup_text(state: State, vm: VM, occ: Occupancy, pool: str) -> str:
    primaries = [site for site in state.sites if state.backup_site_of(site) == pool]
    return _(
        "A %(tier)s VM keeps its backups (its disk) on site %(pool)s when its primary runs on site %(sites)s; that "
        "backup pool has %(free)s free, the VM needs %(need)s."
    ) % {
        "tier": vm.tier,
        "pool": pool,
        "sites": ", ".join(primaries),
        "free": _amount("disk_gb", max(occ.pool_free(state, pool), 0)),
        "need": _amount("disk_gb", vm.size[2]),
    }
