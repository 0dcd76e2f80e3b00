"""The verbs of projects: creating one, its members, closing it.

What hangs from a project (HPC allocations, next resources and datasets) is told of each change through
``registry``, inside the verb's transaction: a removed member leaves the Slurm account in the same commit.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core.roles import is_operator
from mesocentre.projects import registry
from mesocentre.projects.models import Project, ProjectMembership

Role = ProjectMembership.Role


# ------------------------------------------------------------------------------------------------ checks
def _require_manager(actor, project: Project) -> None:
    if not Project.objects.managed_by(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("Only the project's principal investigators and managers may do this."))


def _require_operator(actor, what: str) -> None:
    if not is_operator(actor):
        raise PermissionDenied(_("Only operators %(what)s.") % {"what": what})


# ------------------------------------------------------------------------------------------------ projects
def may_create_projects(user) -> bool:
    """Operators, and any active person an establishment counts among its members."""
    if is_operator(user):
        return True
    return bool(user and user.is_authenticated and user.is_active and user.memberships.exists())


def laboratories_for_new_projects(user):
    """The laboratories ``user`` may create a project in: all for operators, else those of their memberships."""
    from mesocentre.tenancy.models import Laboratory

    if is_operator(user):
        return Laboratory.objects.all()
    if not may_create_projects(user):
        return Laboratory.objects.none()
    return Laboratory.objects.filter(memberships__user=user).distinct()


def payers_for_new_projects(user):
    """The establishments ``user`` may have pay for a new project: for operators, every one (the model checks it is
    one of the laboratory's); for others, those they belong to (in one of their laboratories) — nobody bills an
    establishment they are not part of."""
    from mesocentre.tenancy.models import Establishment

    if is_operator(user):
        return Establishment.objects.all()
    return Establishment.objects.filter(memberships__user=user, memberships__laboratory__isnull=False).distinct()


@transaction.atomic
def create_project(actor, *, pi=None, **fields) -> Project:
    """A new project; ``pi`` (the actor by default) becomes its principal investigator. Operators create any;
    another active member of an establishment creates one only in a laboratory of their memberships."""
    pi = pi or actor
    if not may_create_projects(actor):
        raise PermissionDenied(_("Only members of an establishment create projects."))
    laboratory = fields["laboratory"]
    if not laboratories_for_new_projects(actor).filter(pk=laboratory.pk).exists():
        raise PermissionDenied(_("You create projects only for a laboratory you belong to."))
    if not is_operator(actor):
        from mesocentre.tenancy.models import Membership

        payer = fields.get("paying_establishment")
        if not Membership.objects.filter(user=actor, laboratory=laboratory, establishment=payer).exists():
            raise ValidationError(
                {
                    "paying_establishment": _(
                        "The paying establishment is one you belong to in this laboratory: ask an operator otherwise."
                    )
                }
            )
    project = Project.objects.create(**fields)
    ProjectMembership.objects.create(project=project, user=pi, role=Role.PI)
    return project


@transaction.atomic
def add_member(actor, project: Project, user, role: str = Role.MEMBER) -> ProjectMembership:
    """Change the role of a member (or add one: people join by invitation, ``join_project``, but operators' tools
    and the demo add directly). A member who has not accepted the charter stays out of Slurm:
    ``tenancy.clusters.slurm_exclusion_reason(user)`` says why."""
    _require_manager(actor, project)
    return _membership(project, user, role, actor, demote=True)


@transaction.atomic
def join_project(user, project: Project, role: str = Role.MEMBER) -> ProjectMembership:
    """An invitee who accepted joins (an invitation never demotes: a member invited as PI becomes one)."""
    return _membership(project, user, role, user, demote=False)


def _membership(project: Project, user, role: str, actor, *, demote: bool) -> ProjectMembership:
    membership = ProjectMembership.objects.filter(project=project, user=user).first()
    if membership is None:
        try:  # two adds at once: the second finds the first's row, adding is idempotent
            with transaction.atomic():
                membership = ProjectMembership.objects.create(project=project, user=user, role=role)
        # The twin shows as the unique index's IntegrityError, or as full_clean's ValidationError once committed.
        except (IntegrityError, ValidationError):
            membership = ProjectMembership.objects.filter(project=project, user=user).first()
            if membership is None:
                raise
    if membership.role != role and (demote or role == Role.PI):
        membership.role = role
        membership.save()
    registry.members_changed(project, actor)
    return membership


@transaction.atomic
def remove_member(actor, membership: ProjectMembership) -> None:
    membership.refresh_from_db()  # the role as stored, not as a refused edit left it in memory
    project = membership.project
    _require_manager(actor, project)
    pis = project.memberships.filter(role=Role.PI).exclude(pk=membership.pk)
    if membership.role == Role.PI and not pis.exists():
        raise ValidationError({"role": _("A project keeps at least one principal investigator.")})
    membership.delete()
    registry.members_changed(project, actor)


@transaction.atomic
def close_project(actor, project: Project, today: datetime.date | None = None) -> Project:
    """The project ends: its allocations expire (limits 0 in Slurm at once), its accounts go after the grace
    period. Its PIs, managers or operators close it; a closed project asks for no more hours."""
    _require_manager(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == Project.Status.CLOSED:
        raise ValidationError(_("This project is already closed."))
    today = today or timezone.localdate()
    registry.closing(project, actor, today)  # its allocations expire (hpc), in this transaction
    project.status = Project.Status.CLOSED
    project.ends_on = max(today, project.starts_on) if project.ends_on is None else project.ends_on
    project.save()
    registry.members_changed(project, actor)
    return project
