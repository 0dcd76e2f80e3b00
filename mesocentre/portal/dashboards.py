"""What each role's home page shows: one function per role, each in a number of queries that no row count changes.

A person may hold several roles (the PI of one project, a committee reviewer, an establishment's manager):
``sections(user)`` returns every section that applies to them, the one where most waits for them first. The portal
is the top layer: it reads every app's models, and the views only render what these functions return.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from mesocentre.core.roles import is_operator
from mesocentre.hpc.accounts import granted_of, removal_times
from mesocentre.hpc.models import Allocation, AllocationRequest, ChangeRequest, ReviewAssignment, Round
from mesocentre.metering.services import consumed_hours_of
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.projects.naming import account_name
from mesocentre.provisioning.models import ManualTask, Operation, SlurmCluster
from mesocentre.provisioning.services import unconfigured_slurm_clusters
from mesocentre.tenancy.charter import must_accept
from mesocentre.tenancy.invitation_models import EstablishmentInvitation
from mesocentre.tenancy.invitations import pending_for
from mesocentre.tenancy.models import Establishment, Membership

ENDING_WITHIN = datetime.timedelta(days=30)  # an allocation ending this soon is announced on its PI's home
SHOWN = 10  # the oldest rows of a long list (the queue, the tasks…); the full list is one link away
State = Operation.State
Status = AllocationRequest.Status
LEADS = (ProjectMembership.Role.PI, ProjectMembership.Role.MANAGER)


@dataclass
class Section:
    key: str  # its template is portal/dashboard/<key>.html, its heading's id dashboard-<key>
    actions: int  # how many things in it wait for the user: the section with most comes first
    data: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"portal/dashboard/{self.key}.html"


def sections(user, now: datetime.datetime | None = None) -> list[Section]:
    """Every section of ``user``'s home, the most actionable first (ties keep the order below)."""
    now = now or timezone.now()
    found = [
        section(user, now)
        for section in (operations_section, reviews_section, establishments_section, projects_section)
    ]
    return sorted((s for s in found if s is not None), key=lambda s: -s.actions)


def due_of(round: Round):
    """When a round's reviews are due: the day its operators set, else the day it closes."""
    return round.reviews_due


def _day_of(moment) -> datetime.date:
    """The local day of a datetime; a date as it is."""
    return timezone.localdate(moment) if isinstance(moment, datetime.datetime) else moment


def _count(queryset) -> Coalesce:
    """The number of rows of ``queryset`` (filtered on an OuterRef), as a subquery: no GROUP BY, no join fan-out."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _percent(part, whole) -> int | None:
    """How much of ``whole`` ``part`` is, in whole percent (beyond 100 when overconsumed); None without a whole."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).to_integral_value())


# ---------------------------------------------------------------------------------------- PI, manager, member
def projects_section(user, now: datetime.datetime) -> Section | None:
    """The user's projects (active first) with their hours, and what waits for them: invitations, the charter,
    requests not decided, change requests pending, rounds they could ask hours in, allocations ending soon."""
    today = timezone.localdate(now)
    memberships = list(ProjectMembership.objects.filter(user=user).select_related("project"))
    invitations = pending_for(user)
    if not memberships and not invitations:
        return None
    for membership in memberships:
        membership.project.my_role = membership.get_role_display()
    projects = sorted((m.project for m in memberships), key=lambda p: (p.status != Project.Status.ACTIVE, p.code))
    led = {m.project_id for m in memberships if m.role in LEADS}
    allocations = list(
        Allocation.objects.filter(project__in=projects)
        .select_related("project")
        .prefetch_related("change_requests")
        .order_by("ends_on", "pk")
    )
    open_rounds = list(
        Round.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("call").order_by("closes_at")
    )
    requests = list(
        AllocationRequest.objects.filter(project__in=projects)
        .filter(~Q(status=Status.DECIDED) | Q(round__in=open_rounds))
        .select_related("project", "round__call")
        .order_by("round__closes_at", "project__code")
    )
    # A withdrawn request's round is open to asking again (editing it submits it again).
    asked = {(r.project_id, r.round_id) for r in requests if r.status not in (Status.DRAFT, Status.WITHDRAWN)}
    can_ask = [
        {"project": project, "round": round}
        for project in projects
        if project.pk in led and project.status == Project.Status.ACTIVE
        for round in open_rounds
        if (project.pk, round.pk) not in asked
    ]
    ending = [
        a for a in allocations if a.status == Allocation.Status.ACTIVE and today <= a.ends_on <= today + ENDING_WITHIN
    ]
    undecided = [r for r in requests if r.status not in (Status.DECIDED, Status.WITHDRAWN)]
    drafts = [r for r in undecided if r.status == Status.DRAFT and r.project_id in led]
    charter = must_accept(user)
    data = {
        "invitations": invitations,
        "charter": charter,
        "hours": hours_of(projects, allocations, today),
        "led": led,
        "requests": undecided,
        "changes": [
            c for a in allocations for c in a.change_requests.all() if c.status == ChangeRequest.Status.PENDING
        ],
        "can_ask": can_ask,
        "ending": ending,
        "ending_within": ENDING_WITHIN.days,
        "has_projects": bool(projects),
    }
    return Section("projects", len(invitations) + charter + len(drafts) + len(can_ask) + len(ending), data)


def hours_of(projects: list[Project], allocations: list[Allocation], today: datetime.date) -> list[dict]:
    """Per project and cluster, granted vs consumed core-hours and GPU hours, as ``hpc.services.consumption``
    counts them (``hpc.accounts.granted``: since the account was last removed, started by ``today``, approved changes
    included; consumed over the same span), but every project's removals and usage in one query each. A project
    without allocations gets one row without a cluster."""
    on_cluster: dict[tuple[int, str], list[Allocation]] = {}
    for allocation in allocations:
        on_cluster.setdefault((allocation.project_id, allocation.cluster), []).append(allocation)
    codes = {project.pk: project.code for project in projects}
    keys = {key: f"{key[1]}:{account_name(codes[key[0]])}" for key in on_cluster}  # the Slurm account's
    removed = removal_times(keys.values())
    pairs = {key: (f"slurm:{key[1]}", account_name(codes[key[0]])) for key in on_cluster}  # metering's
    used = consumed_hours_of(pairs.values(), {pairs[key]: removed.get(keys[key]) for key in on_cluster})
    figures = {key: granted_of(here, today, removed.get(keys[key]))[1:] for key, here in on_cluster.items()}
    rows = []
    for project in projects:
        clusters = sorted(cluster for pk, cluster in on_cluster if pk == project.pk)
        if not clusters:
            rows.append({"project": project, "cluster": None})
        for cluster in clusters:
            cpu, gpu = used.get((f"slurm:{cluster}", account_name(project.code)), (Decimal(0), Decimal(0)))
            granted_cpu, granted_gpu = figures[(project.pk, cluster)]
            rows.append(
                {
                    "project": project,
                    "cluster": cluster,
                    "granted_cpu": granted_cpu,
                    "consumed_cpu": cpu,
                    "cpu_percent": _percent(cpu, granted_cpu),
                    "granted_gpu": granted_gpu,
                    "consumed_gpu": gpu,
                    "gpu_percent": _percent(gpu, granted_gpu),
                }
            )
    return rows


# ------------------------------------------------------------------------------------- establishment manager
def establishments_section(user, now: datetime.datetime) -> Section | None:
    """Per establishment the user manages (as a member of it, not as an operator): its projects, its members, its
    pending invitations and its projects left without a PI."""
    of_it = OuterRef("pk")
    establishments = list(
        Establishment.objects.filter(memberships__user=user, memberships__role=Membership.Role.MANAGER)
        .annotate(
            project_count=_count(Project.objects.filter(paying_establishment=of_it)),
            active_count=_count(Project.objects.filter(paying_establishment=of_it, status=Project.Status.ACTIVE)),
            member_count=_count(Membership.objects.filter(establishment=of_it)),
            invitation_count=_count(EstablishmentInvitation.objects.filter(establishment=of_it).pending(now)),
        )
        .order_by("name")
    )
    if not establishments:
        return None
    leaderless: dict[int, list[Project]] = {}
    for project in Project.objects.without_pi().filter(paying_establishment__in=establishments).order_by("code"):
        leaderless.setdefault(project.paying_establishment_id, []).append(project)
    for establishment in establishments:
        establishment.leaderless = leaderless.get(establishment.pk, [])
    actions = sum(len(projects) for projects in leaderless.values())
    return Section("establishments", actions, {"establishments": establishments})


# ------------------------------------------------------------------------------------------------- reviewer
def reviews_section(user, now: datetime.datetime) -> Section | None:
    """A committee reviewer's assignments not reviewed yet (of requests not decided), the soonest due first."""
    if not user.is_reviewer:
        return None
    assignments = list(
        ReviewAssignment.objects.filter(reviewer=user, review__isnull=True)
        .exclude(request__status=Status.DECIDED)
        .select_related("request__project", "request__round__call")
    )
    today = timezone.localdate(now)
    for assignment in assignments:
        assignment.due = _day_of(due_of(assignment.request.round))
        assignment.overdue = assignment.due < today
    assignments.sort(key=lambda a: (a.due, a.pk))
    return Section("reviews", len(assignments), {"assignments": assignments})


# ------------------------------------------------------------------------------------------------- operator
def operations_section(user, now: datetime.datetime) -> Section | None:
    """The operators' desk: the queue by state and its oldest waiting operations, the manual tasks open, the
    requests and change requests waiting for a decision, and the state of each declared cluster."""
    if not is_operator(user):
        return None
    counts = dict(Operation.objects.order_by().values_list("state").annotate(n=Count("pk")))
    by_state = [{"state": state, "label": label, "count": counts.get(state, 0)} for state, label in State.choices]
    waiting = (
        Operation.objects.filter(state__in=[State.PENDING, State.FAILED, State.WAITING, State.RUNNING])
        .annotate(urgency=Case(When(state__in=[State.PENDING, State.FAILED], then=Value(0)), default=Value(1)))
        .order_by("urgency", "created", "pk")
    )
    tasks = ManualTask.objects.filter(status=ManualTask.Status.OPEN)
    undecided = AllocationRequest.objects.filter(
        status__in=[Status.SUBMITTED, Status.UNDER_REVIEW], round__closes_at__lte=now, decision__isnull=True
    )
    changes = ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING)
    data = {
        "by_state": by_state,
        "waiting": list(waiting[:SHOWN]),
        "tasks": list(tasks.select_related("operation").order_by("created", "pk")[:SHOWN]),
        "task_count": tasks.count(),
        "undecided": list(
            undecided.select_related("project", "round__call").order_by("round__closes_at", "pk")[:SHOWN]
        ),
        "undecided_count": undecided.count(),
        "changes": list(changes.select_related("allocation__project").order_by("created", "pk")[:SHOWN]),
        "change_count": changes.count(),
        "clusters": clusters_state(),
        "unconfigured": unconfigured_slurm_clusters(),
    }
    actions = counts.get(State.FAILED, 0) + data["task_count"] + data["undecided_count"] + data["change_count"]
    return Section("operations", actions, data)


def clusters_state() -> list[SlurmCluster]:
    """Each declared Slurm cluster with what the queue recorded of it: when an operation last succeeded there, its
    last failure (when, which, why) and how many operations are still open. Slurm operations name their cluster
    first in their resource key (``<cluster>:<account>``). Nothing asks the cluster itself: this is the queue's view."""
    here = Operation.objects.filter(
        backend="slurm", resource_key__startswith=Concat(OuterRef("name"), Value(":"))
    ).order_by()
    done = here.filter(state=State.DONE).order_by("-finished_at", "-pk")
    failed = here.filter(state=State.FAILED).annotate(at=Coalesce("finished_at", "last_updated")).order_by("-at", "-pk")
    return list(
        SlurmCluster.objects.annotate(
            last_done_at=Subquery(done.values("finished_at")[:1]),
            last_failure_pk=Subquery(failed.values("pk")[:1]),
            last_failure_at=Subquery(failed.values("at")[:1]),
            last_failure_error=Subquery(failed.values("last_error")[:1]),
            open_count=_count(here.filter(state__in=Operation.OPEN_STATES)),
        ).order_by("name")
    )
