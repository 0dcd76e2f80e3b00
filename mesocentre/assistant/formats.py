"""The assistant's JSON files, parsed and validated: a refusal is one ``FormatError`` naming the field by its JSON
path (``vms[3].vcpu``) and the rule it breaks, never a traceback.

    host      {"name", "site", "vcpu", "ram_gb", "disk_gb", "reserved": {"vcpu", "ram_gb", "disk_gb"},
               "ratios": {"vcpu", "ram_gb", "disk_gb"}, "maintenance": bool}
    VM        {"name", "vcpu", "ram_gb", "disk_gb", "tier", "group": name | null, "site": code | null}
    instance  {"hosts": [...], "vms": [...]}
    state     an instance whose VMs also say "host" and, in gold, "standby_host"; it may declare the backup pools,
              "pools": [{"site", "backup_gb"}, ...]: a silver or gold VM's backups (its disk size) then take room
              in the pool of the first site listed other than its primary's (its "backup_site", which a placed VM
              may also state)

A host's usable capacity of each resource is floor((total − reserved) × ratio), as OpenStack Placement computes it.
"""

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

RESOURCES = ("vcpu", "ram_gb", "disk_gb")
SHORT = {"vcpu": "vcpu", "ram_gb": "ram", "disk_gb": "disk"}  # the resource's word in a rule's name
TIERS = ("bronze", "silver", "gold")
BACKED_UP = ("silver", "gold")  # the tiers whose backups take room in a pool
MAX_ITEMS = 100_000  # hosts, and VMs, in one file
MAX_NUMBER = 10**9
MAX_RATIO = 1000
MAX_NAME = 255
MINIMUM = {"vcpu": 1, "ram_gb": 1, "disk_gb": 0}  # a VM's least size of each resource

HOST_KEYS = ("name", "site", "vcpu", "ram_gb", "disk_gb", "reserved", "ratios", "maintenance")
VM_KEYS = ("name", "vcpu", "ram_gb", "disk_gb", "tier", "group", "site")


class FormatError(ValueError):
    """``path: rule`` — what is wrong, and where."""

    def __init__(self, path: str, rule: str):
        super().__init__(f"{path}: {rule}")
        self.path, self.rule = path, rule


@dataclass(frozen=True)
class Host:
    name: str
    site: str
    total: tuple[int, int, int]
    reserved: tuple[int, int, int]
    ratios: tuple[Decimal, Decimal, Decimal]
    maintenance: bool

    @property
    def usable(self) -> tuple[int, int, int]:
        return tuple(math.floor((t - r) * q) for t, r, q in zip(self.total, self.reserved, self.ratios, strict=True))


@dataclass(frozen=True)
class VM:
    name: str
    size: tuple[int, int, int]
    tier: str
    group: str | None
    site: str | None
    host: str | None = None
    standby_host: str | None = None
    backup_site: str | None = None

    @property
    def gold(self) -> bool:
        return self.tier == "gold"

    @property
    def backed_up(self) -> bool:
        return self.tier in BACKED_UP

    def resized(self, resource: str, value: int) -> "VM":
        size = list(self.size)
        size[RESOURCES.index(resource)] = value
        return VM(self.name, tuple(size), self.tier, self.group, self.site)


@dataclass(frozen=True)
class State:
    """Hosts and VMs; in an instance the VMs have no host yet."""

    hosts: tuple[Host, ...]
    vms: tuple[VM, ...]
    pools: tuple[tuple[str, int], ...] = ()  # (site, backup GB), in the order given

    @property
    def sites(self) -> list[str]:
        return list(dict.fromkeys(host.site for host in self.hosts))

    def backup_site_of(self, site: str) -> str | None:
        """Where the backups of a VM whose primary is on ``site`` go: the first pool of another site."""
        return next((pool for pool, _gb in self.pools if pool != site), None)

    def host(self, name: str) -> Host:
        return self._by_name[name]

    @property
    def _by_name(self) -> dict[str, Host]:
        cached = self.__dict__.get("_hosts_by_name")
        if cached is None:
            cached = {host.name: host for host in self.hosts}
            object.__setattr__(self, "_hosts_by_name", cached)
        return cached


# ---- Reading


def load_json(path: str | Path, label: str):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(label, f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise FormatError(label, f"is not valid JSON ({exc})") from None


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _object(value, path: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise FormatError(path or "$", "must be a JSON object")
    for key in keys:
        if key not in value:
            raise FormatError(_at(path, key), "is missing")
    for key in value:
        if key not in keys and key not in optional:
            raise FormatError(_at(path, str(key)), "is not a known key")
    return value


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _name(value, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FormatError(path, "must be a non-empty string")
    if len(value) > MAX_NAME:
        raise FormatError(path, f"must be at most {MAX_NAME} characters")
    return value


def _whole(value, path: str, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise FormatError(path, f"must be a whole number from {least} to {MAX_NUMBER}")
    if not least <= value <= MAX_NUMBER:
        raise FormatError(path, f"must be a whole number from {least} to {MAX_NUMBER}")
    return value


def _ratio(value, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(path, f"must be a number above 0 and at most {MAX_RATIO}")
    ratio = Decimal(str(value))  # 1.5 is 1.5, not its binary neighbour
    if not 0 < ratio <= MAX_RATIO:
        raise FormatError(path, f"must be a number above 0 and at most {MAX_RATIO}")
    return ratio


def _list(value, path: str) -> list:
    if not isinstance(value, list):
        raise FormatError(path, "must be a JSON array")
    if len(value) > MAX_ITEMS:
        raise FormatError(path, f"must hold at most {MAX_ITEMS} items")
    return value


def parse_host(value, path: str) -> Host:
    raw = _object(value, path, HOST_KEYS)
    total = tuple(_whole(raw[r], _at(path, r)) for r in RESOURCES)
    reserved_raw = _object(raw["reserved"], _at(path, "reserved"), RESOURCES)
    reserved = tuple(_whole(reserved_raw[r], _at(path, f"reserved.{r}")) for r in RESOURCES)
    for resource, t, r in zip(RESOURCES, total, reserved, strict=True):
        if r > t:
            raise FormatError(_at(path, f"reserved.{resource}"), f"must not exceed the host's {resource} ({t})")
    ratios_raw = _object(raw["ratios"], _at(path, "ratios"), RESOURCES)
    ratios = tuple(_ratio(ratios_raw[r], _at(path, f"ratios.{r}")) for r in RESOURCES)
    if not isinstance(raw["maintenance"], bool):
        raise FormatError(_at(path, "maintenance"), "must be true or false")
    return Host(
        _name(raw["name"], _at(path, "name")),
        _name(raw["site"], _at(path, "site")),
        total,
        reserved,
        ratios,
        raw["maintenance"],
    )


def parse_vm(
    value, path: str, sites: set[str], placed: dict[str, Host] | None = None, pools: frozenset[str] = frozenset()
) -> VM:
    """One VM; ``placed`` (the state's hosts by name) asks for its ``host`` and, in gold, its ``standby_host``; it may
    state its ``backup_site`` (one of ``pools``)."""
    optional = ("standby_host", "backup_site") if placed is not None else ()
    raw = _object(value, path, VM_KEYS + (("host",) if placed is not None else ()), optional)
    name = _name(raw["name"], _at(path, "name"))
    size = tuple(_whole(raw[r], _at(path, r), MINIMUM[r]) for r in RESOURCES)
    if raw["tier"] not in TIERS:
        raise FormatError(_at(path, "tier"), f"must be one of {', '.join(TIERS)}")
    group = None if raw["group"] is None else _name(raw["group"], _at(path, "group"))
    site = None
    if raw["site"] is not None:
        site = _name(raw["site"], _at(path, "site"))
        if site not in sites:
            raise FormatError(_at(path, "site"), f"must be a site of the hosts ({', '.join(sorted(sites))}) or null")
    host = standby = None
    if placed is not None:
        host = _name(raw["host"], _at(path, "host"))
        if host not in placed:
            raise FormatError(_at(path, "host"), f"names no host of the state ({host!r})")
        standby = raw.get("standby_host")
        if raw["tier"] == "gold":
            if standby is None:
                raise FormatError(_at(path, "standby_host"), "is missing: a gold VM has a standby")
            standby = _name(standby, _at(path, "standby_host"))
            if standby not in placed:
                raise FormatError(_at(path, "standby_host"), f"names no host of the state ({standby!r})")
        elif standby is not None:
            raise FormatError(_at(path, "standby_host"), "must be null: only a gold VM has a standby")
    backup = raw.get("backup_site")
    if backup is not None:
        if raw["tier"] not in BACKED_UP:
            raise FormatError(_at(path, "backup_site"), "must be null: only a silver or gold VM keeps backups")
        if backup not in pools:
            raise FormatError(_at(path, "backup_site"), "must be a site of the state's pools")
    return VM(name, size, raw["tier"], group, site, host, standby, backup)


def parse_state(data, placed: bool) -> State:
    """An instance (``placed=False``) or a state (``placed=True``, with its backup pools if it declares them)."""
    raw = _object(data, "", ("hosts", "vms"), ("pools",) if placed else ())
    hosts = []
    names: set[str] = set()
    for index, item in enumerate(_list(raw["hosts"], "hosts")):
        host = parse_host(item, f"hosts[{index}]")
        if host.name in names:
            raise FormatError(f"hosts[{index}].name", f"repeats the host {host.name!r}")
        names.add(host.name)
        hosts.append(host)
    if not hosts:
        raise FormatError("hosts", "must hold at least one host")
    sites = {host.site for host in hosts}
    pools = parse_pools(raw.get("pools", []))
    by_name = {host.name: host for host in hosts} if placed else None
    vms = []
    vm_names: set[str] = set()
    for index, item in enumerate(_list(raw["vms"], "vms")):
        vm = parse_vm(item, f"vms[{index}]", sites, by_name, frozenset(site for site, _gb in pools))
        if vm.name in vm_names:
            raise FormatError(f"vms[{index}].name", f"repeats the VM {vm.name!r}")
        vm_names.add(vm.name)
        vms.append(vm)
    return State(tuple(hosts), tuple(vms), pools)


def parse_pools(value) -> tuple[tuple[str, int], ...]:
    """A site's pool may be a site without hosts (backups only)."""
    pools = []
    for index, item in enumerate(_list(value, "pools")):
        path = f"pools[{index}]"
        raw = _object(item, path, ("site", "backup_gb"))
        site = _name(raw["site"], _at(path, "site"))
        if any(site == seen for seen, _gb in pools):
            raise FormatError(_at(path, "site"), f"repeats the pool of {site!r}")
        pools.append((site, _whole(raw["backup_gb"], _at(path, "backup_gb"))))
    return tuple(pools)


def parse_request(data, state: State) -> VM:
    """The VM to place: new, or (same name as one of the state) resized or moved — its copies are freed first."""
    return parse_vm(data, "", set(state.sites))
