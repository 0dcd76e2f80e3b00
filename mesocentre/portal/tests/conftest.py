"""The projects app's world (``w``: a university, a PI's project, an open and a closed round, on 2026-06-15) and
what the dashboards' tests add to it, a row at a time, so that they can compare 2 rows with 20."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from mesocentre.core.tokens import token_digest
from mesocentre.hpc.models import Allocation, AllocationRequest, ChangeRequest, ReviewAssignment
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project, ProjectInvitation, ProjectMembership
from mesocentre.projects.naming import account_name
from mesocentre.projects.tests.conftest import decided, w  # noqa: F401 (fixtures)
from mesocentre.provisioning.models import ManualTask, Operation, SlurmCluster
from mesocentre.tenancy.invitation_models import EstablishmentInvitation
from mesocentre.tenancy.models import Membership, User

HOUR = 3600


@pytest.fixture
def make(w):  # noqa: F811 (the fixture imported above)
    """Row makers on top of ``w``: each adds one thing a dashboard shows, numbered ``n`` to keep names apart."""
    return SimpleNamespace(
        project=lambda n, **kw: make_project(w, n, **kw),
        invitation=lambda n, to: ProjectInvitation.objects.create(
            project=w.project,
            username=to.username,
            invitee=to,
            invited_by=w.pi,
            token_digest=token_digest(f"project-{n}"),
            expires_at=timezone.now() + datetime.timedelta(days=14),
        ),
        establishment_invitation=lambda n: EstablishmentInvitation.objects.create(
            establishment=w.cnrs,
            username=f"invited-{n}",
            invited_by=w.manager,
            token_digest=token_digest(f"est-{n}"),
            expires_at=timezone.now() + datetime.timedelta(days=14),
        ),
        member=lambda n: Membership.objects.create(
            user=User.objects.create(username=f"member-{n}", password="!"), establishment=w.cnrs
        ),
        assignment=lambda n, reviewer, round=None: make_assignment(w, n, reviewer, round or w.round),
        operation=lambda n, **kw: Operation.objects.create(
            backend=kw.pop("backend", "manual"),
            resource_type="rack",
            resource_key=kw.pop("key", f"rack-{n}"),
            target={"n": n},
            **kw,
        ),
        task=lambda n: ManualTask.objects.create(
            operation=Operation.objects.create(
                backend="manual", resource_type="firewall", resource_key=f"fw-{n}", target={}, state="waiting"
            ),
            title=f"Open the firewall {n}",
        ),
        cluster=lambda n: SlurmCluster.objects.create(name=f"cluster{n}", slurm_conf=f"/etc/slurm/{n}.conf"),
    )


def make_project(
    world, n: int, *, pi=None, granted: int = 1000, used_hours: int = 0, ends_on=datetime.date(2026, 12, 31), **extra
):
    """A project of ``pi`` (``world.pi``) with an allocation of ``granted`` core-hours (and as many GPU hours / 10) on
    the default cluster, ``used_hours`` core-hours used; ``extra``: change=True (a pending change request),
    request=True (a request submitted in the closed round, not decided)."""
    project = Project.objects.create(
        code=f"proj{n}",
        title=f"Project {n}",
        laboratory=world.lab,
        paying_establishment=world.cnrs,
        theme=world.theme,
        starts_on=datetime.date(2026, 1, 1),
    )
    ProjectMembership.objects.create(project=project, user=pi or world.pi, role="pi")
    allocation = Allocation.objects.create(
        project=project,
        cpu_core_hours=granted,
        gpu_hours=granted // 10,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=ends_on,
    )
    if used_hours:
        UsageRecord.objects.create(
            source="slurm:mesocentre",
            external_id=f"job-{n}",
            account=account_name(project.code),
            ended_at=timezone.now() - datetime.timedelta(days=1),
            cpu_seconds=used_hours * HOUR,
            gpu_seconds=used_hours // 10 * HOUR,
        )
    if extra.get("change"):
        ChangeRequest.objects.create(
            allocation=allocation, change_type="more_hours", extra_cpu_core_hours=10, justification="More."
        )
    if extra.get("request"):
        AllocationRequest.objects.create(
            project=project,
            round=world.closed,
            cpu_core_hours=500,
            justification="Runs.",
            status="submitted",
            submitted_at=world.closed.opens_at + datetime.timedelta(days=1),
        )
    return project


def make_assignment(world, n: int, reviewer, round):
    project = make_project(world, n)
    request = AllocationRequest.objects.create(
        project=project,
        round=round,
        cpu_core_hours=500,
        justification="Runs.",
        status="under_review",
        submitted_at=round.opens_at + datetime.timedelta(hours=1),
    )
    return ReviewAssignment.objects.create(request=request, reviewer=reviewer)
