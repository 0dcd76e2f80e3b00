"""The verbs of HPC hours: requests, reviews, decisions, allocations and their changes (the contract with the
Slurm backend is ``accounts``; calls and rounds are ``rounds``).

Every verb that changes what a cluster must see writes, in its own transaction, the project's whole desired
Slurm account (``slurm_target``) to the operation queue through ``_push_to_slurm``. The verbs of projects
(``projects.services``) are re-exported here: the callers that grant hours also create projects and add members.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.hpc import holdings, notifications
from mesocentre.hpc.accounts import (  # noqa: F401 - the Slurm contract, reached through the verbs' module too
    LIVE_STATES,
    MINUTES_PER_HOUR,
    SLURM_PREFETCH,
    _push_to_slurm,
    account_removed_at,
    check_slurm_limits,
    desired_slurm_state,
    removal_date,
    remove_after_grace,
    slurm_exclusion_reason,
    slurm_target,
    start_due,
)
from mesocentre.hpc.models import Allocation, AllocationRequest, ChangeRequest, Decision, Review, ReviewAssignment
from mesocentre.hpc.models.allocations import DEFAULT_CLUSTER
from mesocentre.hpc.rounds import (  # noqa: F401 - the verbs of calls and rounds, reached through here too
    add_round_budget,
    close_round,
    create_call,
    create_round,
    remove_round_budget,
)
from mesocentre.hpc.summary import round_summary  # noqa: F401 - a verb of this module, kept apart
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.projects.naming import account_name
from mesocentre.projects.services import (  # noqa: F401 - the projects' verbs, reached through here too
    _require_manager,
    _require_operator,
    add_member,
    close_project,
    create_project,
    join_project,
    laboratories_for_new_projects,
    may_create_projects,
    payers_for_new_projects,
    remove_member,
)

Role = ProjectMembership.Role


# ------------------------------------------------------------------------------------------------ requests and reviews
@transaction.atomic
def submit_request(actor, project: Project, round, *, cpu_core_hours, gpu_hours=0, scratch_gb=0, justification=""):
    """A PI (or manager) asks for hours in an open round; one request per project and round."""
    _require_manager(actor, project)
    if project.status != Project.Status.ACTIVE:
        raise ValidationError(_("Only an active project asks for hours."))
    # Locking the project serialises identical requests sent at once: the second reads the first's row and gets a
    # 400 instead of hitting the unique (project, round) index (PostgreSQL; SQLite's writes are serialised anyway).
    Project.objects.select_for_update().filter(pk=project.pk).first()
    existing = AllocationRequest.objects.filter(project=project, round=round).first()
    # A draft, or a request withdrawn from this round, is submitted again in the same row (its round's slot).
    if existing and existing.status not in (AllocationRequest.Status.DRAFT, AllocationRequest.Status.WITHDRAWN):
        raise ValidationError({"round": _("This project already has a request in this round.")})
    request = existing or AllocationRequest(project=project, round=round)
    request.cpu_core_hours, request.gpu_hours = cpu_core_hours, gpu_hours
    request.scratch_gb, request.justification = scratch_gb, justification
    request.status, request.submitted_at, request.submitted_by = (
        AllocationRequest.Status.SUBMITTED,
        timezone.now(),
        actor,
    )
    try:
        with transaction.atomic():
            request.save()  # clean() refuses a round that is not open, and says when it is
    except IntegrityError:  # a twin committed despite the lock (a caller outside a transaction): still a 400
        raise ValidationError({"round": _("This project already has a request in this round.")}) from None
    return request


@transaction.atomic
def assign_reviewer(actor, request: AllocationRequest, reviewer) -> ReviewAssignment:
    """Operators assign a committee reviewer; a reviewer of the project's own laboratory is refused, with why."""
    _require_operator(actor, _("assign reviewers"))
    if request.status not in (AllocationRequest.Status.SUBMITTED, AllocationRequest.Status.UNDER_REVIEW):
        raise ValidationError(_("Only a submitted request, not yet decided, gets reviewers."))
    assignment = ReviewAssignment.objects.create(request=request, reviewer=reviewer, assigned_by=actor)
    notifications.review_assigned(assignment)
    if request.status == AllocationRequest.Status.SUBMITTED:
        request.status = AllocationRequest.Status.UNDER_REVIEW
        request.save()
    return assignment


@transaction.atomic
def submit_review(actor, assignment: ReviewAssignment, *, score, private_comment="", public_comment="") -> Review:
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the assigned reviewer writes this review."))
    if assignment.request.status == AllocationRequest.Status.DECIDED:
        raise ValidationError(_("The committee has decided: reviews are closed."))
    if assignment.request.status == AllocationRequest.Status.WITHDRAWN:
        raise ValidationError(_("This request was withdrawn by its project: it is not reviewed."))
    review, _created = Review.objects.update_or_create(
        assignment=assignment,
        defaults={"score": score, "private_comment": private_comment, "public_comment": public_comment},
    )
    return review


# ------------------------------------------------------------------------------------------------ allocations
def known_clusters() -> list[str]:
    """Where hours may be granted: the declared Slurm clusters, the default one, those already granted on."""
    from mesocentre.provisioning.slurm.clusters import declared_clusters

    names = {spec.name for spec in declared_clusters()} | {DEFAULT_CLUSTER}
    return sorted(names | set(Allocation.objects.values_list("cluster", flat=True).distinct()))


@transaction.atomic
def decide(
    actor,
    request: AllocationRequest,
    *,
    cpu_core_hours,
    gpu_hours=0,
    reason="",
    starts_on,
    ends_on,
    cluster=DEFAULT_CLUSTER,
    override_budget: bool = False,
    override_reason: str = "",
) -> Allocation | None:
    """The committee's decision: records it and creates (or updates) the allocation; nothing granted, none.

    Beyond what is left of the round's budget, ``override_budget`` and a non-empty ``override_reason`` are needed
    (``Decision.clean``); they are recorded on the decision."""
    _require_operator(actor, _("record the committee's decisions"))
    # The request as it is now, locked in the order edit and withdraw lock it (project, then request): the PI may
    # have lowered or withdrawn it since the decision's form was opened.
    Project.objects.select_for_update().filter(pk=request.project_id).first()
    AllocationRequest.objects.select_for_update(of=("self",)).filter(pk=request.pk).first()
    request.refresh_from_db()  # the caller's object, brought up to date: it sees what was decided
    if cluster not in known_clusters():
        raise ValidationError(
            {
                "cluster": _("No cluster is named %(cluster)s: declare it first (known: %(known)s).")
                % {"cluster": cluster, "known": ", ".join(known_clusters())}
            }
        )
    if request.status == AllocationRequest.Status.DRAFT:
        raise ValidationError(_("A draft request is not decided: it was never submitted."))
    if request.status == AllocationRequest.Status.WITHDRAWN:
        raise ValidationError(_("This request was withdrawn by its project: there is nothing to decide."))
    decision, _created = Decision.objects.update_or_create(
        request=request,
        defaults={
            "cpu_core_hours": cpu_core_hours,
            "gpu_hours": gpu_hours,
            "reason": reason,
            "decided_by": actor,
            "override_budget": override_budget,
            "override_reason": override_reason,
        },
    )
    request.status = AllocationRequest.Status.DECIDED
    request.save()
    allocation = Allocation.objects.filter(decision=decision).first()
    if not (cpu_core_hours or gpu_hours):
        withdrawn = []
        if allocation is not None:
            withdrawn = [allocation.cluster]
            holdings.withdraw(allocation)  # its resource ends now
            allocation.delete()
        _push_to_slurm(request.project, actor, also=withdrawn)
        notifications.decided(request, None)
        return None
    fields = {
        "project": request.project,
        "cluster": cluster,
        "cpu_core_hours": cpu_core_hours,
        "gpu_hours": gpu_hours,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    if allocation is None:
        allocation = Allocation(decision=decision)
    for name, value in fields.items():
        setattr(allocation, name, value)
    allocation.save()
    holdings.follow(allocation)  # its resource of the HPC offering, with the hours decided
    _push_to_slurm(request.project, actor)
    notifications.decided(request, allocation)
    return allocation


@transaction.atomic
def request_change(actor, allocation: Allocation, **fields) -> ChangeRequest:
    _require_manager(actor, allocation.project)
    return ChangeRequest.objects.create(allocation=allocation, requested_by=actor, **fields)


@transaction.atomic
def approve_change_request(actor, change: ChangeRequest, *, approve: bool = True) -> ChangeRequest:
    """Operators approve (hours add to the allocation's cumulative limit; an extension moves its end) or refuse."""
    _require_operator(actor, _("approve change requests"))
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeRequest.Status.PENDING:
        raise ValidationError(_("This change request is already decided."))
    allocation = Allocation.objects.select_for_update().get(pk=change.allocation_id)
    if approve and account_removed_at(allocation.project, allocation.cluster, after=allocation.created):
        raise ValidationError(
            _("This allocation's Slurm account was removed after its grace period: grant a new allocation instead.")
        )
    change.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REFUSED
    change.decided_by = actor
    change.save()
    if approve:
        if change.change_type == ChangeRequest.Kind.EXTENSION:
            if change.new_ends_on <= allocation.ends_on:
                raise ValidationError({"new_ends_on": _("An extension ends after the allocation's current end.")})
            allocation.ends_on = change.new_ends_on
            if allocation.status == Allocation.Status.EXPIRED:
                allocation.set_status(Allocation.Status.ACTIVE)
            allocation.save(update_fields=["ends_on", "status", "expired_on", "last_updated"])
        holdings.follow(allocation)  # more hours: a new period from now; an expired one extended: a new resource
        _push_to_slurm(allocation.project, actor)
    return change


@transaction.atomic
def set_allocation_status(actor, allocation: Allocation, status: str) -> Allocation:
    """Suspend, resume or expire: Slurm's limits drop to zero (jobs stop being accepted, history stays)."""
    _require_operator(actor, _("suspend or expire allocations"))
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    reopened = allocation.status == Allocation.Status.EXPIRED and status != Allocation.Status.EXPIRED
    if reopened and account_removed_at(allocation.project, allocation.cluster, after=allocation.created):
        # Its account, and Slurm's usage with it, is gone: the target stays absent, whatever the status said.
        raise ValidationError(
            {
                "status": _(
                    "This allocation's Slurm account was removed after its grace period: grant a new allocation "
                    "instead."
                )
            }
        )
    if allocation.status != status:
        allocation.set_status(status)
        allocation.save(update_fields=["status", "expired_on", "last_updated"])
        holdings.follow(allocation)  # expired: its resource ends; resumed after an expiry: a new resource
        _push_to_slurm(allocation.project, actor)
    return allocation


def suspend_allocation(actor, allocation: Allocation) -> Allocation:
    return set_allocation_status(actor, allocation, Allocation.Status.SUSPENDED)


def expire_allocation(actor, allocation: Allocation) -> Allocation:
    return set_allocation_status(actor, allocation, Allocation.Status.EXPIRED)


@transaction.atomic
def expire_due(today=None, actor=None) -> list[Allocation]:
    """Every active allocation whose end date has passed expires; one push per project."""
    today = today or timezone.localdate()
    due = list(Allocation.objects.select_for_update().filter(status=Allocation.Status.ACTIVE, ends_on__lt=today))
    for allocation in due:
        allocation.set_status(Allocation.Status.EXPIRED, today)
        allocation.save(update_fields=["status", "expired_on", "last_updated"])
        holdings.follow(allocation)  # its resource ends after its last day
    for project in Project.objects.filter(pk__in={a.project_id for a in due}):
        _push_to_slurm(project, actor)
    return due


def consumption(project: Project, removals: dict | None = None) -> list[dict]:
    """Per cluster: granted (cumulative) vs consumed core-hours and GPU hours, and the consumption over time.

    Reads ``project.allocations.all()``: prefetched with their change requests (``SLURM_PREFETCH``), every cluster
    of the project costs the same four queries as one."""
    from decimal import Decimal

    from mesocentre.hpc.accounts import granted, removals_of
    from mesocentre.metering.services import consumed_hours_of, cumulative_core_hours_by_day_of

    allocations = list(project.allocations.all())
    today = timezone.localdate()
    account = account_name(project.code)
    clusters = sorted({a.cluster for a in allocations})
    pairs = [(f"slurm:{cluster}", account) for cluster in clusters]
    removals = removals_of(project, clusters) if removals is None else removals  # the caller's, if it read them
    # Granted and consumed over the same span: since the account was last removed (its usage went with it).
    since = {pair: removals[cluster] for cluster, pair in zip(clusters, pairs, strict=True)}
    consumed, series = consumed_hours_of(pairs, since), cumulative_core_hours_by_day_of(pairs, since)
    rows = []
    for cluster, pair in zip(clusters, pairs, strict=True):
        # What is granted is what the Slurm limit counts (``accounts.granted``): one definition for both.
        _started, granted_cpu, granted_gpu = granted(project, cluster, today, removals[cluster])
        cpu, gpu = consumed.get(pair, (Decimal(0), Decimal(0)))
        rows.append(
            {
                "cluster": cluster,
                "granted_cpu": granted_cpu,
                "granted_gpu": granted_gpu,
                "consumed_cpu": cpu,
                "consumed_gpu": gpu,
                "series": series.get(pair, []),
            }
        )
    return rows
