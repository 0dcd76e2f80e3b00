"""What projects do when tenancy announces a change (``tenancy.registry``): Slurm follows in the same transaction.

An establishment's code is the parent account of its projects; a user's login, activity and charter decide whether
their projects' accounts list them. Each change queues the new targets of the accounts it touches.
"""

from __future__ import annotations

from collections.abc import Callable

from mesocentre.core.actor import current_user
from mesocentre.projects import naming
from mesocentre.projects.accounts import _push_to_slurm
from mesocentre.projects.models import Project
from mesocentre.tenancy.registry import Event, subscribe


def _push(projects) -> None:
    actor = current_user()
    for project in projects.order_by("pk"):  # in one order, so that concurrent changes lock rows alike
        _push_to_slurm(project, actor)


def establishment_code_problem(establishment, code: str) -> str | None:
    return naming.code_problem(code, establishment=establishment)


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


def connect() -> None:
    subscribe(Event.ESTABLISHMENT_CODE_CHECK, establishment_code_problem)
    subscribe(Event.ESTABLISHMENT_CHANGED, establishment_changed)
    subscribe(Event.USER_CHANGED, user_changed)
    subscribe(Event.USER_DELETING, user_deleting)
