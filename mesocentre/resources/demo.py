"""The demo's resources: what the demo's projects hold of every offering on sale but HPC hours and GPU bookings.

VMs of each tier (one created in silver months ago, resized weeks later and moved to gold last month), storage and
backups, two hosted racks in different PODs and a firewall rule set; an order awaiting the project and one awaiting
the team, so that both queues have something; a laboratory's vCPU quota mostly used, so that its refusal shows.

Every resource is made the way a real one is: its order placed by someone of the project (``orders.place``),
approved by the demo's operator for the offering's team (``orders.approve``), its operation handed over by the
worker as a manual task (``provisioning.claim_next`` and ``run_operation``) and the task completed with the
resource's identifier (``provisioning.complete_manual_task``). What is dated in the past is the backend's outcome:
the order's end and the resource's periods, by ending the order at its date (``orders.finish``'s ``at``) just
before the task is completed; the order's placing, its approvals and the operation keep the time of the load, for
the services stamp them with ``timezone.now()``.

The dates count from the day the demo was first loaded (``day``). A resource is found again by its natural key
(project, offering, name): when it or its creating order exists, nothing is done for it, so a second load changes
nothing and what users did since (a resize, a termination, a rejected order) stays as they left it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mesocentre.capacity.models import Pod, Site
from mesocentre.catalogue.models import Offering, Plan
from mesocentre.core.demo import month_start
from mesocentre.projects.models import Project
from mesocentre.provisioning import services as provisioning
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.resources import orders
from mesocentre.resources.models import Order, Placement, Quota, RackReservation, Resource
from mesocentre.tenancy.models import Establishment, Laboratory, User

# The demo's projects are made by the hpc demo (HPC hours lived in projects before the split): load after it.
AFTER = ("mesocentre.hpc",)

PARIS = ZoneInfo("Europe/Paris")
WORKER = "demo-loader"
OPERATOR = "operator"  # the demo's operator, in the four teams


def vm(vcpu: int, ram_gb: int, disk_gb: int) -> dict:
    return {"vcpu": vcpu, "ram_gb": ram_gb, "disk_gb": disk_gb}


@dataclass(frozen=True)
class Step:
    """One done order of a resource's history: from the ``day`` of the month ``months`` before the demo's day, at
    ``plan`` and ``quantities`` (the first step creates it, each next one changes it)."""

    months: int
    day: int
    plan: str
    quantities: dict


@dataclass(frozen=True)
class Held:
    project: str
    offering: str
    name: str
    ordered_by: str
    history: tuple[Step, ...]
    pod: str | None = None
    site: str | None = None  # a VM's primary's site (the assistant chooses the host)


RACK = {"u": 42, "kw": 7}

HELD = (
    # Created in silver, resized three weeks later, moved to gold last month: a history of every kind of change.
    Held("irit-hybrid-ai", "cloud-vm", "inference-api", "pi-irit",
         (Step(-5, 3, "silver", vm(4, 8, 100)), Step(-5, 24, "silver", vm(8, 16, 100)),
          Step(-1, 6, "gold", vm(8, 16, 100))), site="site1"),
    Held("irit-hybrid-ai", "cloud-vm", "gitlab-runner", "pi-irit", (Step(-6, 4, "bronze", vm(16, 32, 200)),),
         site="site1"),
    Held("irit-hybrid-ai", "cloud-vm", "jupyterhub", "pi-irit", (Step(-4, 8, "silver", vm(24, 96, 500)),),
         site="site1"),
    # The other laboratories' VMs, sized so that the occupancy comes out as the offer's table, exactly (its TB
    # being 1 024 GB): site 1 holds 450 vCPU, 919 GB RAM, 54 TB disk and site 2's VMs' backups (29 TB); site 2
    # holds its own VMs and the gold standbys, 144 vCPU, 410 GB RAM, 42 TB disk and site 1's backups (29 TB).
    Held("genphyse-genomics", "cloud-vm", "variant-db", "pi-genphyse", (Step(-3, 2, "gold", vm(16, 64, 3_212)),),
         site="site1"),
    Held("cirimat-alloys", "cloud-vm", "phase-diagrams", "pi-cirimat", (Step(-7, 1, "silver", vm(96, 192, 15_000)),),
         site="site1"),
    Held("lcc-catalysis", "cloud-vm", "spectra-portal", "pi-lcc", (Step(-6, 10, "silver", vm(64, 128, 10_884)),),
         site="site1"),
    Held("imft-jets", "cloud-vm", "les-postproc", "pi-imft", (Step(-5, 5, "bronze", vm(96, 160, 15_000)),),
         site="site1"),
    Held("ica-composites", "cloud-vm", "fatigue-db", "pi-ica", (Step(-4, 12, "bronze", vm(80, 128, 6_400)),),
         site="site1"),
    Held("lpt-lattice", "cloud-vm", "lattice-viz", "pi-lpt", (Step(-3, 20, "bronze", vm(50, 103, 4_000)),),
         site="site1"),
    Held("irap-galaxies", "cloud-vm", "survey-mirror", "pi-irap", (Step(-8, 3, "silver", vm(48, 128, 20_000)),),
         site="site2"),
    Held("genphyse-genomics", "cloud-vm", "sequence-archive", "pi-genphyse",
         (Step(-6, 15, "silver", vm(32, 96, 9_696)),), site="site2"),
    Held("imft-jets", "cloud-vm", "mesh-builder", "pi-imft", (Step(-2, 8, "bronze", vm(40, 106, 10_000)),),
         site="site2"),
    Held("imft-jets", "storage", "les-results", "pi-imft", (Step(-4, 2, "standard", {"storage_gb": 20_000}),)),
    Held("imft-jets", "backup", "les-archive", "pi-imft", (Step(-4, 9, "standard", {"storage_gb": 10_000}),)),
    Held("genphyse-genomics", "firewall", "sftp-partners", "pi-genphyse", (Step(-3, 15, "standard", {"count": 1}),)),
    # Two hosted racks in different PODs, ordered by the managers of the establishments that pay for them.
    Held("irap-galaxies", "rack", "irap-archive", "manager-cnrs", (Step(-8, 5, "standard", RACK),), pod="pod1"),
    Held("cirimat-alloys", "rack", "cirimat-instruments", "manager-ut3", (Step(-2, 12, "standard", RACK),),
         pod="pod2"),
)  # fmt: skip

# (project, offering, plan, name, ordered by, quantities): a student's order awaits the project's PI; a PI's awaits
# the cloud team.
PENDING = (
    ("irit-hybrid-ai", "cloud-vm", "bronze", "student-sandbox", "member-irit", vm(8, 16, 50)),
    ("lcc-catalysis", "storage", "standard", "dft-scratch", "pi-lcc", {"storage_gb": 5_000}),
)

# (holder's kind, holder's code, dimension, limit): IRIT's VMs hold 48 vCPU and its student asks 8 more.
QUOTAS = (
    ("laboratory", "irit", "vcpu", 64),
    ("establishment", "cnrs", "storage_gb", 50_000),
)


def moment(day: datetime.date, months: int, day_of_month: int, hour: int = 10) -> datetime.datetime:
    """``hour`` o'clock in Toulouse on the ``day_of_month`` of the month ``months`` away from ``day``'s, in UTC (as
    the database gives it back)."""
    date = month_start(day, months) + datetime.timedelta(days=day_of_month - 1)
    return datetime.datetime.combine(date, datetime.time(hour), tzinfo=PARIS).astimezone(datetime.UTC)


def load(day: datetime.date, out=None) -> None:
    # The demo's operator approves for the teams and does the tasks (None if users took that role away since).
    operator = User.objects.filter(username=OPERATOR, is_operator=True).first()
    for kind, code, dimension, limit in QUOTAS:
        holder = (Laboratory if kind == "laboratory" else Establishment).objects.filter(code=code).first()
        if holder is not None:
            Quota.objects.get_or_create(**{kind: holder}, dimension=dimension, defaults={"limit": limit})
    made = 0
    for held in HELD if operator is not None else ():
        if not _exists(held.project, held.offering, held.name):
            made += _try(out, held.name, partial(_make, held, operator, day))
    for asked in PENDING:
        if not _exists(asked[0], asked[1], asked[3]):
            made += _try(out, asked[3], partial(_ask, *asked))
    if out:
        out.write(f"resources: {len(HELD)} resources, {len(PENDING)} pending orders, {len(QUOTAS)} quotas ({made} new)")


def _exists(project: str, offering: str, name: str) -> bool:
    """The natural key: the project's resource of that offering and name, or the order that would create it."""
    found = {"project__code": project, "offering__code": offering, "name": name}
    return Resource.objects.filter(**found).exists() or Order.objects.filter(type=Order.Type.CREATE, **found).exists()


def _try(out, name: str, make) -> int:
    """Make one of the demo's rows, or leave it out saying why: what users did with the demo since (a suspended
    project, an operator out of a team, a quota lowered) never stops a later load."""
    try:
        with transaction.atomic():
            make()
    except (ValidationError, PermissionDenied, ObjectDoesNotExist) as refused:
        if out:
            out.write(_("resources: “%(name)s” left out: %(reason)s") % {"name": name, "reason": refused})
        return 0
    return 1


def _ask(project: str, offering: str, plan: str, name: str, username: str, quantities: dict) -> Order:
    """An order placed and left waiting for the approval it needs."""
    return orders.place(
        User.objects.get(username=username),
        Project.objects.get(code=project),
        Order.Type.CREATE,
        plan=Plan.objects.get(offering__code=offering, code=plan),
        quantities=quantities,
        name=name,
    )


def _make(held: Held, operator: User, day: datetime.date) -> None:
    project = Project.objects.get(code=held.project)
    author = User.objects.get(username=held.ordered_by)
    plans = {p.code: p for p in Plan.objects.filter(offering__code=held.offering)}
    first, *changes = held.history
    order = orders.place(
        author,
        project,
        Order.Type.CREATE,
        plan=plans[first.plan],
        quantities=first.quantities,
        name=held.name,
        pod=Pod.objects.get(code=held.pod) if held.pod else None,
        site=Site.objects.get(code=held.site) if held.site else None,
    )
    resource = _carry_out(order, operator, moment(day, first.months, first.day))
    for step in changes:
        order = orders.place(
            author,
            project,
            Order.Type.UPDATE,
            resource=resource,
            plan=plans[step.plan],
            quantities=step.quantities,
        )
        _carry_out(order, operator, moment(day, step.months, step.day))


def _carry_out(order: Order, operator: User, at: datetime.datetime) -> Resource:
    """The team approves ``order``, the worker hands its operation over as a manual task, and the operator does it:
    the order ends done ``at`` (its resource's period starts then), then the task is completed."""
    if order.state in Order.PENDING:
        order = orders.approve(order, operator)
    if order.state != Order.State.EXECUTING or order.operation is None:
        raise ValidationError(_("The order of “%(name)s” is not under way.") % {"name": order.name or order.resource})
    others = Operation.objects.filter(state__in=(Operation.State.PENDING, Operation.State.RUNNING))
    # Only this order's operation: the demo's Slurm operations wait for a cluster, and users' for their teams.
    claimed = provisioning.claim_next(
        WORKER, exclude=others.exclude(pk=order.operation_id).values_list("pk", flat=True)
    )
    if claimed is None or claimed.pk != order.operation_id:
        raise ValidationError(
            _("The operation of “%(name)s” could not be claimed.") % {"name": order.name or order.resource}
        )
    provisioning.run_operation(claimed, WORKER)
    task = ManualTask.objects.get(operation_id=order.operation_id, status=ManualTask.Status.OPEN)
    result = _backend_result(order)
    # Ended here at its date: the task's completion below then finds no order executing on its operation.
    with transaction.atomic():
        orders.finish(Order.objects.select_for_update(of=("self",)).get(pk=order.pk), done=True, result=result, at=at)
    provisioning.complete_manual_task(task, operator, True, "Done (demo).", backend_id=result["backend_id"])
    return Resource.objects.get(pk=order.resource_id)


def _backend_result(order: Order) -> dict:
    """What the team would record: the backend's identifier, and for a VM its address and hypervisor."""
    resource = order.resource
    kind = order.offering.kind
    if kind == Offering.Kind.RACK:
        reservation = RackReservation.objects.select_related("rack__pod").get(resource=resource)
        return {"backend_id": str(reservation.rack)}
    result = {"backend_id": f"{order.offering.code}-{order.project.code}-{resource.name}"}
    if kind == Offering.Kind.CLOUD_VM:
        # The hypervisor the assistant chose for its primary.
        primary = Placement.objects.filter(resource=resource, role=Placement.Role.PRIMARY).select_related("host")
        host = primary.first().host.name if primary.exists() else "site1-hv01"
        result.update(address=f"10.31.{resource.pk // 250 % 250}.{resource.pk % 250 + 2}", host=host)
    return result
