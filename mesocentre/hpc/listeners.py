"""What HPC does when tenancy or projects announce a change (``tenancy.registry``, ``projects.registry``): Slurm
follows in the same transaction.

An establishment's code is the parent account of its projects; a user's login, activity and charter, and a
project's members, decide whether its accounts list them; a closing project's allocations expire. Each change
queues the new targets of the accounts it touches.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from mesocentre.core.actor import current_user
from mesocentre.hpc import holdings
from mesocentre.hpc.accounts import _push_to_slurm
from mesocentre.hpc.models import Allocation
from mesocentre.projects import registry as projects_registry
from mesocentre.projects.models import Project
from mesocentre.tenancy.registry import Event, subscribe


def _push(projects) -> None:
    actor = current_user()
    for project in projects.order_by("pk"):  # in one order, so that concurrent changes lock rows alike
        _push_to_slurm(project, actor)


def establishment_changed(establishment, before: dict) -> None:
    """A new code: the accounts of the projects it pays for move under the establishment's new account."""
    _push(Project.objects.filter(paying_establishment=establishment))


def user_changed(user, before: dict) -> None:
    """A new login, a deactivation or a charter accepted: every account the user is a member of is queued again."""
    _push(Project.objects.filter(memberships__user=user).distinct())


def user_deleting(user) -> Callable[[], None]:
    """Their project memberships go with them: once they are gone, their projects' accounts are queued without
    them. A project left without a principal investigator is listed to operators (``Project.objects.without_pi``)."""
    pks = list(Project.objects.filter(memberships__user=user).values_list("pk", flat=True))
    return lambda: _push(Project.objects.filter(pk__in=pks))


def project_members_changed(project, actor) -> None:
    _push_to_slurm(project, actor)


def project_closing(project, actor, today: datetime.date) -> None:
    """Its allocations expire (limits 0 in Slurm at once, the accounts go after the grace period); the push follows
    with ``MEMBERS_CHANGED`` once the project is closed."""
    for allocation in project.allocations.select_for_update().exclude(status=Allocation.Status.EXPIRED):
        allocation.set_status(Allocation.Status.EXPIRED, today)
        allocation.ends_on = min(allocation.ends_on, max(today, allocation.starts_on))
        allocation.save(update_fields=["status", "expired_on", "ends_on", "last_updated"])
        holdings.follow(allocation)  # its resource ends


def connect() -> None:
    subscribe(projects_registry.Event.MEMBERS_CHANGED, project_members_changed)
    subscribe(projects_registry.Event.CLOSING, project_closing)
    subscribe(Event.ESTABLISHMENT_CHANGED, establishment_changed)
    subscribe(Event.USER_CHANGED, user_changed)
    subscribe(Event.USER_DELETING, user_deleting)
