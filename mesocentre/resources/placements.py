"""Where VMs run, decided by the decision assistant, and the occupancy that follows.

The assistant's engine works on JSON states (``mesocentre.assistant.formats``); this module builds the state from the
database — every host with its reserved amounts, ratios and maintenance flag, every placed VM with its primary and
standby host and where its backups are, each site's backup pool — asks the engine for one request, and writes the
certified answer as ``Placement`` rows. A silver or gold VM's backups (its disk size) go to the pool of the site other
than its primary's: the engine's rule ``capacity:backup:<site>``, certified by the checker as the others are.

An installation that records no host manages no capacity: its VMs are not placed and nothing is refused for room.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from mesocentre.assistant import services as assistant
from mesocentre.assistant.formats import TIERS, FormatError
from mesocentre.assistant.placement import SolverError
from mesocentre.capacity.models import HOST_RESOURCES, Host, Site
from mesocentre.catalogue.models import Offering, Plan
from mesocentre.resources.models import Placement, Resource

# The rows of the occupancy: the hosts' three resources, then the backup pool.
REPORT_RESOURCES = ("vcpu", "ram_gb", "disk_gb", "backup_gb")
GB_PER_TB = 1024  # the offer's "TB"
NEW = "new"  # the name of a VM not yet created, in the engine's state


def tier_of(plan: Plan) -> str:
    """The plan's tier (its code: bronze, silver or gold); another code places as bronze does."""
    return plan.code if plan.code in TIERS else "bronze"


def size_of(quantities: dict) -> dict[str, int]:
    """A VM's vCPU, RAM and disk, whole (as the engine takes them), from its order's or period's quantities."""
    return {r: int(Decimal(str(quantities.get(r, "0"))).to_integral_value(ROUND_HALF_UP)) for r in HOST_RESOURCES}


def engine_group(project, name: str) -> str | None:
    """A VM's anti-affinity group as the engine knows it: named within its project (two projects' "web" groups are
    two groups, and a project's explanation counts only its own VMs)."""
    return f"{project.code}/{name}" if name else None


def _vm_name(resource_pk: int) -> str:
    return f"resource-{resource_pk}"


def state_data(hosts=None) -> dict:
    """The engine's state: every host, and every placed VM with its copies (its tier as far as the engine cares:
    gold when it has a standby)."""
    hosts = list(hosts if hosts is not None else Host.objects.select_related("site"))
    data_hosts = [
        {
            "name": host.name,
            "site": host.site.code,
            "vcpu": host.vcpu,
            "ram_gb": host.ram_gb,
            "disk_gb": host.disk_gb,
            "reserved": host.reserved,
            "ratios": {r: float(q) for r, q in host.ratios.items()},
            "maintenance": host.in_maintenance,
        }
        for host in hosts
    ]
    copies: dict[int, dict] = defaultdict(dict)
    rows = Placement.objects.select_related("host", "site", "resource__project")
    for placement in rows:
        copies[placement.resource_id][placement.role] = placement
    vms = []
    for resource_pk, roles in sorted(copies.items()):
        primary, standby = roles.get(Placement.Role.PRIMARY), roles.get(Placement.Role.STANDBY)
        backup = roles.get(Placement.Role.BACKUP)
        if primary is None:
            continue
        vms.append(
            {
                "name": _vm_name(resource_pk),
                "vcpu": max(primary.vcpu, 1),
                "ram_gb": max(primary.ram_gb, 1),
                "disk_gb": primary.disk_gb,
                # As far as the engine cares: gold has a standby, silver backups, bronze neither.
                "tier": "gold" if standby else "silver" if backup else "bronze",
                "group": engine_group(primary.resource.project, primary.resource.anti_affinity_group),
                "site": None,
                "host": primary.host.name,
                **({"standby_host": standby.host.name} if standby else {}),
                **({"backup_site": backup.site.code} if backup else {}),
            }
        )
    return {"hosts": data_hosts, "vms": vms, "pools": _pools()}


def _pools() -> list[dict]:
    """Each site's backup pool; a VM's backups go to the first other than its primary's: the recovery site first."""
    sites = Site.objects.order_by("-is_recovery_site", "code").values_list("code", "backup_gb")
    return [{"site": code, "backup_gb": backup_gb} for code, backup_gb in sites]


def answer(
    tier: str,
    size: dict[str, int],
    *,
    site: str | None = None,
    group: str | None = None,
    resource: Resource | None = None,
    largest: bool = False,
) -> dict | None:
    """The assistant's certified answer for one VM (``resource``'s new size, or a new VM): ``{"feasible",
    "placement": {"host", "standby_host"}, "explanation": [{"rule", "text"}], "backup_site"}``; None when no host
    is recorded. Raises ``assistant.FormatError`` on a request the engine's format refuses (an unknown tier or
    site, a negative size)."""
    hosts = list(Host.objects.select_related("site"))
    if not hosts:
        return None
    name = _vm_name(resource.pk) if resource is not None else NEW
    if site is None and resource is not None:
        # A change stays on its primary's site (as a rack's stays in its POD), unless the order pins another.
        site = (
            Placement.objects.filter(resource=resource, role=Placement.Role.PRIMARY)
            .values_list("site__code", flat=True)
            .first()
        )
    request = {"name": name, **size, "tier": tier, "group": group, "site": site}
    result = assistant.place_request(state_data(hosts), request, largest=largest)
    # Where its backups go is the engine's answer too (its rule capacity:backup:<site>, certified by the checker).
    result["backup_site"] = result["placement"].pop("backup_site", None) if result["feasible"] else None
    return result


def refusal(result: dict) -> ValidationError:
    """The engine's explanation, in its words, as a refusal naming the quantities."""
    return ValidationError({"quantities": [item["text"] for item in result["explanation"]]})


def check_order(order) -> None:
    """Refuse, naming ``quantities`` with the assistant's words, a VM order (create or change) no host can take."""
    if order.offering.kind != Offering.Kind.CLOUD_VM or order.type == "terminate":
        return
    resource = order.resource if order.resource_id else None
    result = answer(
        tier_of(order.plan),
        size_of(order.quantities),
        site=order.site.code if order.site_id else None,
        group=engine_group(order.project, resource.anti_affinity_group if resource else order.group),
        resource=resource,
    )
    if result is not None and not result["feasible"]:
        raise refusal(result)


def place_vm(resource: Resource, plan: Plan, quantities: dict, site: Site | None = None) -> list[Placement]:
    """Place ``resource`` (new, or at its new size) where the assistant says, inside the caller's transaction: its
    former placements are replaced. The hosts are locked first, so that two placements never share one host's last
    room. Refused (a ValidationError naming ``quantities``) when no host can take it."""
    if not Host.objects.exists():
        return []
    list(Host.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    tier, size = tier_of(plan), size_of(quantities)
    group = engine_group(resource.project, resource.anti_affinity_group)
    result = answer(tier, size, site=site.code if site else None, group=group, resource=resource)
    if not result["feasible"]:
        raise refusal(result)
    Placement.objects.filter(resource=resource).delete()
    hosts = {h.name: h for h in Host.objects.select_related("site")}
    rows = [(Placement.Role.PRIMARY, hosts[result["placement"]["host"]])]
    if result["placement"]["standby_host"]:
        rows.append((Placement.Role.STANDBY, hosts[result["placement"]["standby_host"]]))
    made = [Placement(resource=resource, role=role, site=host.site, host=host, **size) for role, host in rows]
    if result["backup_site"]:
        made.append(
            Placement(
                resource=resource,
                role=Placement.Role.BACKUP,
                site=Site.objects.get(code=result["backup_site"]),
                disk_gb=size["disk_gb"],
            )
        )
    return Placement.objects.bulk_create(made)


def try_place_vm(resource: Resource, plan: Plan, quantities: dict, site: Site | None = None) -> str | None:
    """``place_vm`` in a savepoint: None when placed, else why not in words — the assistant's explanation, or the
    checker's refusal of its answer — with nothing placed (the former placements of a resize kept)."""
    try:
        with transaction.atomic():
            place_vm(resource, plan, quantities, site)
    except ValidationError as exc:
        return " ".join(exc.messages)
    except (assistant.Uncertified, SolverError, FormatError) as exc:
        return _("The assistant's placement was not certified, so nothing was placed: %(reason)s") % {"reason": exc}
    return None


def place_unplaced() -> tuple[list[Resource], list[tuple[Resource, list[str]]]]:
    """Place the VMs held before placements existed (an installation upgraded), each at the size it holds, on the
    site of the host its team recorded if that names one: (placed, [(refused, the assistant's words)])."""
    placed, refused = [], []
    held = (
        Resource.objects.filter(offering__kind=Offering.Kind.CLOUD_VM, placements__isnull=True)
        .exclude(state__in=[Resource.State.TERMINATED, Resource.State.TERMINATING])
        .order_by("pk")
    )
    sites = dict(Host.objects.values_list("name", "site_id"))
    for resource in held:
        current = resource.periods.filter(valid_until__isnull=True).select_related("plan").first()
        if current is None:
            continue
        site = Site.objects.filter(pk=sites.get(resource.host)).first()
        try:
            with transaction.atomic():
                place_vm(resource, current.plan, current.quantities, site)
        except ValidationError as exc:
            refused.append((resource, exc.messages))
        else:
            placed.append(resource)
    return placed, refused


def release(resource: Resource) -> None:
    """A terminated VM frees its hosts and its backups' room."""
    Placement.objects.filter(resource=resource).delete()


# --- Occupancy -------------------------------------------------------------------------------------------------------


def _percent(used: int, capacity: int) -> int | None:
    if capacity <= 0:
        return None
    return int((Decimal(used) * 100 / Decimal(capacity)).to_integral_value(ROUND_HALF_UP))


def _tb(gb: int) -> int:
    return int((Decimal(gb) / GB_PER_TB).to_integral_value(ROUND_HALF_UP))


def capacity_report() -> list[dict]:
    """Per site and resource (vCPU, RAM, disk, backups): the capacity (the hosts' usable amounts, floor((total −
    reserved) × ratio), hosts in maintenance included: they keep what they hold; the site's backup pool), what the
    placements use, and the percentage (whole, half up). Disk and backups also in the offer's TB (1 024 GB, whole,
    half up). Computed from the hosts, the pools and the placements at each call."""
    capacity: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REPORT_RESOURCES, 0))
    for host in Host.objects.all():
        for resource, amount in host.usable.items():
            capacity[host.site_id][resource] += amount
    used: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REPORT_RESOURCES, 0))
    rows = Placement.objects.values("site_id", "role").annotate(
        vcpu=Sum("vcpu"), ram_gb=Sum("ram_gb"), disk_gb=Sum("disk_gb")
    )
    for row in rows:
        if row["role"] == Placement.Role.BACKUP:
            used[row["site_id"]]["backup_gb"] += row["disk_gb"] or 0
        else:
            for resource in HOST_RESOURCES:
                used[row["site_id"]][resource] += row[resource] or 0
    report = []
    for site in Site.objects.all():
        capacity[site.pk]["backup_gb"] = site.backup_gb
        figures = {}
        for resource in REPORT_RESOURCES:
            cap, use = capacity[site.pk][resource], used[site.pk][resource]
            figures[resource] = {"capacity": cap, "used": use, "percent": _percent(use, cap)}
            if resource in ("disk_gb", "backup_gb"):
                figures[resource].update(capacity_tb=_tb(cap), used_tb=_tb(use))
        report.append({"site": site.code, "name": site.name, "resources": figures})
    return report
