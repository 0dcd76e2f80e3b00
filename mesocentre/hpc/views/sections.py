"""What HPC adds to the projects' pages (``projects.registry``): the list's calls, rounds and waiting changes, and a
project's allocations, consumption, requests and reviews."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.utils import timezone

from mesocentre.core.roles import is_operator
from mesocentre.hpc import services
from mesocentre.hpc.accounts import removals_of
from mesocentre.hpc.models import Allocation, ChangeRequest, Review, Round
from mesocentre.hpc.views.requests import request_rows
from mesocentre.projects.registry import Section, Where, register_section


def list_context(request) -> dict:
    operator = is_operator(request.user)
    waiting = ChangeRequest.objects.visible_to(request.user).filter(status=ChangeRequest.Status.PENDING)
    pending = waiting.count() if operator else None
    now = timezone.now()  # the rounds open now (``Round.is_open_at``), asked of the database: not every round ever
    open_rounds = Round.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("call")
    return {"open_rounds": list(open_rounds.order_by("closes_at")), "pending_changes": pending}


def project_context(request, project, can_manage: bool) -> dict:
    # Its allocations (with their change requests) and members (with their users) read once, for the tables, the
    # Slurm target and the consumption alike; the page's own prefetch of the members is kept.
    prefetch_related_objects([project], *services.SLURM_PREFETCH)
    allocations = project.allocations.all()
    # When each cluster's account was last removed: read once, for the Slurm target and the consumption alike.
    removals = removals_of(project, {a.cluster for a in allocations})
    return {
        "allocations": allocations,
        "statuses": Allocation.Status.choices,
        "request_rows": request_rows(project, can_manage),
        "reviews": Review.objects.visible_to(request.user).filter(assignment__request__project=project),
        "show_private": is_operator(request.user),
        "slurm_target": _target(project, allocations, removals),
        "consumption": services.consumption(project, removals),
    }


def _target(project, allocations, removals) -> dict | None:
    """The project's Slurm account on the cluster of its latest allocation, as ``slurm_target`` picks it."""
    if not allocations:
        return None
    cluster = max(allocations, key=lambda a: (a.starts_on, a.pk)).cluster
    return services.slurm_target(project, cluster, removed_at=removals[cluster])


def register() -> None:
    register_section(Section("hpc", "hpc/includes/project_list_section.html", list_context, Where.LIST, order=10))
    register_section(Section("hpc", "hpc/includes/project_section.html", project_context, Where.PAGE, order=10))
