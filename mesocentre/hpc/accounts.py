"""The contract with the Slurm backend: a project's whole desired account on a cluster (``slurm_target``), queued
by every change that alters it (``_push_to_slurm``), read back for reconciliation, removed after the grace period.

Kept apart from the verbs (``services``), which call it and re-export its names.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core.formatting import number
from mesocentre.hpc.models import Allocation
from mesocentre.hpc.models.allocations import DEFAULT_CLUSTER
from mesocentre.hpc.models.calls import MAX_HOURS
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.projects.naming import account_name
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.services import enqueue
from mesocentre.provisioning.slurm.converge import AccountTarget
from mesocentre.provisioning.slurm.names import InvalidName
from mesocentre.tenancy.clusters import known_to_clusters, slurm_exclusion_reason  # noqa: F401 - re-exported

MINUTES_PER_HOUR = 60
logger = logging.getLogger(__name__)


def _removals(cluster: str, keys: list[str] | None = None) -> dict[str, datetime.datetime]:
    """Resource key → when the worker last removed that account from ``cluster``, in one query."""
    removals = Operation.objects.filter(
        backend="slurm",
        resource_type="account",
        resource_key__startswith=f"{cluster}:",
        state=Operation.State.DONE,
        target__state="absent",
    )
    if keys is not None:
        removals = removals.filter(resource_key__in=keys)
    latest: dict[str, datetime.datetime] = {}
    for key, finished_at in removals.values_list("resource_key", "finished_at"):
        latest[key] = max(finished_at, latest.get(key, finished_at))
    return latest


def account_removed_at(project: Project, cluster: str, after=None) -> datetime.datetime | None:
    """When the project's account on ``cluster`` was last removed from Slurm (a removal the worker applied), if
    that happened after ``after``. Slurm's usage of a removed account is gone with it: what was granted before must
    not count again when a new allocation brings the account back."""
    key = f"{cluster}:{account_name(project.code)}"
    removed = _removals(cluster, [key]).get(key)
    return removed if removed is not None and (after is None or removed > after) else None


def _counted(project: Project, cluster: str, removed: datetime.datetime | None) -> list[Allocation]:
    """The allocations on ``cluster`` that the account's limit counts: those granted since its last removal."""
    return [a for a in project.allocations.all() if a.cluster == cluster and (removed is None or a.created > removed)]


def removal_times(keys) -> dict[str, datetime.datetime]:
    """Resource key ("cluster:account") → when the worker last removed that account, for many keys in one query."""
    removals = Operation.objects.filter(
        backend="slurm",
        resource_type="account",
        resource_key__in=list(set(keys)),
        state=Operation.State.DONE,
        target__state="absent",
    )
    latest: dict[str, datetime.datetime] = {}
    for key, finished_at in removals.values_list("resource_key", "finished_at"):
        latest[key] = max(finished_at, latest.get(key, finished_at))
    return latest


def removals_of(project: Project, clusters) -> dict[str, datetime.datetime | None]:
    """Cluster → when the project's account there was last removed (None: never), in one query."""
    account = account_name(project.code)
    latest = removal_times(f"{cluster}:{account}" for cluster in clusters)
    return {cluster: latest.get(f"{cluster}:{account}") for cluster in clusters}


def granted(
    project: Project, cluster: str, day: datetime.date, removed: datetime.datetime | None
) -> tuple[list[Allocation], int, int]:
    """What the project is granted on ``cluster`` on ``day``: THE definition, read by the Slurm limit
    (``slurm_target``), the consumption page (``services.consumption``) and the 80 %/100 % notifications.

    The allocations counted since the account was last removed (``removed``: Slurm's usage went with it), that
    have started by ``day`` (a scheduled one counts from its start), whatever their status (a suspended one is
    still granted: the limit drops to 0 because the account is not active, not because nothing was granted), with
    their approved change requests. Returns those allocations, and their core-hours and GPU hours. What is
    consumed is counted over the same span: the jobs that ended after the removal (``metering``'s ``since``)."""
    here = [a for a in project.allocations.all() if a.cluster == cluster]
    return granted_of(here, day, removed)


def granted_of(allocations, day: datetime.date, removed: datetime.datetime | None) -> tuple[list[Allocation], int, int]:
    """``granted`` from the allocations of one project on one cluster, already read (a page of many projects)."""
    started = [a for a in allocations if (removed is None or a.created > removed) and a.has_started(day)]
    return started, sum(a.total_cpu_core_hours for a in started), sum(a.total_gpu_hours for a in started)


def removal_date(project: Project, cluster: str, here: list[Allocation] | None = None) -> datetime.date | None:
    """The day the project's account on ``cluster`` may be removed: the grace period after its last allocation
    there ended (or expired, if later), once every one of them has expired; None while one is active or suspended
    (a pause, not an end), or when there is nothing left to remove. ``here``: the counted allocations, if known."""
    if here is None:
        here = _counted(project, cluster, account_removed_at(project, cluster))
    if not here or any(a.status != Allocation.Status.EXPIRED for a in here):
        return None
    ended = max(max(a.ends_on, a.expired_on or a.ends_on) for a in here)
    return ended + datetime.timedelta(days=settings.MESOCENTRE["SLURM_GRACE_DAYS"])


_LOOK_UP = object()
# What slurm_target reads of a project, fetched in a constant number of queries for any number of projects.
SLURM_PREFETCH = (
    "allocations__change_requests",
    Prefetch("memberships", queryset=ProjectMembership.objects.select_related("user")),
)


def slurm_target(
    project: Project, cluster: str | None = None, today: datetime.date | None = None, removed_at=_LOOK_UP
) -> dict:
    """The ABSOLUTE desired state of the project's Slurm account on ``cluster``.

    Usage in Slurm never resets, so the limits are the cumulative total granted on that cluster (every
    allocation since the account was last removed, with its approved change requests), in minutes; not active (no
    active allocation, or the project suspended or closed) → limits 0, the account and its history stay; once every
    allocation there has expired and the grace period has passed (``removal_date``), the account is absent.
    ``removed_at``: the account's last removal when the caller looked it up for many projects at once.
    """
    allocations = list(project.allocations.all())
    if cluster is None:
        cluster = max(allocations, key=lambda a: (a.starts_on, a.pk)).cluster if allocations else DEFAULT_CLUSTER
    removed = account_removed_at(project, cluster) if removed_at is _LOOK_UP else removed_at
    here = _counted(project, cluster, removed)
    day = today or timezone.localdate()
    # An allocation counts from its start date; before it, it is scheduled: neither in the limit nor active. On
    # its start day, the daily ``hpc expire`` (``start_due``) queues the target that counts it.
    started, cpu, gpu = granted(project, cluster, day, removed)
    active = project.status == Project.Status.ACTIVE and any(a.status == Allocation.Status.ACTIVE for a in started)
    members = project.memberships.all()  # with SLURM_PREFETCH, their users come along
    users = sorted({m.user.unix_login for m in members if known_to_clusters(m.user)})
    removal = removal_date(project, cluster, here)
    state = "active" if active else "suspended"
    # Nothing granted since a removal: it stays removed. Nothing granted at all (a grant withdrawn): limits 0.
    if (not here and removed) or (removal is not None and removal <= day):
        state, users = "absent", []
    return {
        "cluster": cluster,
        "account": account_name(project.code),
        "parent": account_name(project.paying_establishment.code),
        "users": users,
        "limits": {
            "cpu": cpu * MINUTES_PER_HOUR if active else 0,
            "gres/gpu": gpu * MINUTES_PER_HOUR if active else 0,
        },
        "state": state,
    }


def remove_after_grace(today: datetime.date | None = None, actor=None) -> list[dict]:
    """Queue the removal of every account whose grace period has passed and whose removal is not under way or done;
    one transaction per project, its row locked like every push."""
    today = today or timezone.localdate()
    grace = datetime.timedelta(days=settings.MESOCENTRE["SLURM_GRACE_DAYS"])
    ended = Allocation.objects.filter(status=Allocation.Status.EXPIRED, ends_on__lte=today - grace)
    queued = []
    for pk in Project.objects.filter(pk__in=ended.values("project")).values_list("pk", flat=True):
        with transaction.atomic():
            project = Project.objects.select_for_update(of=("self",)).select_related("paying_establishment").get(pk=pk)
            for cluster in sorted(set(project.allocations.values_list("cluster", flat=True))):
                target = slurm_target(project, cluster, today)
                key = f"{cluster}:{target['account']}"
                last = Operation.objects.for_resource("slurm", "account", key).order_by("-pk").first()
                under_way = last is not None and last.target.get("state") == "absent" and last.state in LIVE_STATES
                if target["state"] == "absent" and not under_way and _queued_or_logged(target, actor):
                    queued.append(target)
    return queued


LIVE_STATES = (Operation.State.PENDING, Operation.State.RUNNING, Operation.State.WAITING, Operation.State.DONE)


def start_due(today: datetime.date | None = None, actor=None) -> list[dict]:
    """Queue the target of every project whose allocation started (today, or since the last queued target: a
    missed day catches up) and whose latest queued target does not count it yet; one transaction per project."""
    today = today or timezone.localdate()
    running = Allocation.objects.filter(status=Allocation.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today)
    queued = []
    for pk in Project.objects.filter(pk__in=running.values("project"), status=Project.Status.ACTIVE).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            locked = Project.objects.select_for_update(of=("self",)).select_related("paying_establishment")
            project = locked.prefetch_related(*SLURM_PREFETCH).get(pk=pk)
            for cluster in sorted({a.cluster for a in project.allocations.all() if a.has_started(today)}):
                target = slurm_target(project, cluster, today)
                key = f"{cluster}:{target['account']}"
                last = Operation.objects.for_resource("slurm", "account", key).order_by("-pk").first()
                if (last is None or last.target != target) and _queued_or_logged(target, actor):
                    queued.append(target)
    return queued


def _queued_or_logged(target: dict, actor) -> bool:
    """For the daily chores: a project whose target Slurm would refuse is logged and skipped, in a savepoint, so
    that one bad row does not stop the accounts of every project after it."""
    try:
        with transaction.atomic():
            queue_target(target, actor)
    except ValidationError as exc:
        logger.error("Slurm target of %s on %s not queued: %s", target.get("account"), target.get("cluster"), exc)
        return False
    return True


def _push_to_slurm(project: Project, actor, also: list[str] | tuple = ()) -> list:
    """Queue the project's target on every cluster it has an allocation on, in the caller's transaction.

    The project's row is locked first, so that two changes of one project (a member added while an allocation is
    resumed) compute their targets one after the other and the last queued holds both."""
    locked = Project.objects.select_for_update(of=("self",)).select_related("paying_establishment")
    project = locked.prefetch_related(*SLURM_PREFETCH).get(pk=project.pk)
    operations = []
    for cluster in sorted(set(project.allocations.values_list("cluster", flat=True)) | set(also)):
        operations.append(queue_target(slurm_target(project, cluster), actor))
    return operations


def queue_target(target: dict, actor) -> Operation:
    """THE place a Slurm target is queued: validated as the worker will read it (``AccountTarget``: names Slurm
    takes, known state, whole minutes), its limits within the platform's bound (``check_slurm_limits``), and queued
    in its normal form under its own key, in the caller's transaction. A target that cannot be applied is refused
    here, as a ValidationError naming what is wrong, and the change that asked for it rolls back with it."""
    try:
        parsed = AccountTarget.parse(target)
    except InvalidName as exc:
        message = _("Slurm would refuse the account %(account)s: %(reason)s")
        raise ValidationError({"slurm": message % {"account": target.get("account"), "reason": exc}}) from None
    normal = parsed.as_target()
    check_slurm_limits(normal)
    return enqueue("slurm", "account", parsed.key, normal, requested_by=actor)


def check_slurm_limits(target: dict) -> None:
    """Refuse a target whose limits Slurm would not take, before it is queued (and the caller's change with it).

    Slurm keeps GrpTRESMins in unsigned 64-bit integers; the bound here is far lower: the platform's most hours
    (``MAX_HOURS``) in minutes, so that no absurd figure (a typo, a sum of them) ever reaches a cluster."""
    bound = MAX_HOURS * MINUTES_PER_HOUR
    for tres, minutes in target["limits"].items():
        if not isinstance(minutes, int) or not 0 <= minutes <= bound:
            raise ValidationError(
                {
                    "limits": _(
                        "The %(tres)s limit of %(account)s would be %(minutes)s minutes: Slurm is given at most "
                        "%(bound)s."
                    )
                    % {"tres": tres, "account": target["account"], "minutes": number(minutes), "bound": number(bound)}
                }
            )


def desired_slurm_state(cluster: str) -> list[dict]:
    """Every project's target on ``cluster``, for reconciliation."""
    projects = Project.objects.filter(allocations__cluster=cluster).distinct().select_related("paying_establishment")
    removals = _removals(cluster)
    return [
        slurm_target(project, cluster, removed_at=removals.get(f"{cluster}:{account_name(project.code)}"))
        for project in projects.prefetch_related(*SLURM_PREFETCH).order_by("code")
    ]
