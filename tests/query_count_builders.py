"""The row builders of the query-count test: each adds ONE row of its model to the scoping test's world, with what
its page or serializer shows of it (a laboratory's establishments, an allocation's change requests…), so that a
relation read per row shows up in the count."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

_serial = itertools.count(1)


def make(model, **fields):
    """One row, without its save() (validation, audit, Slurm): what is counted is the reading, not the writing."""
    return model.objects.bulk_create([model(**fields)])[0]


def user(prefix: str, **flags):
    from mesocentre.tenancy.models import User

    n = next(_serial)
    return make(
        User, username=f"{prefix}-{n}", email=f"{prefix}-{n}@example.org", password="!", unix_login=f"q{n}", **flags
    )


# ---------------------------------------------------------------------------------------------- row builders
# Each takes the world and adds ONE row of its model (with what is shown of it).
def build_theme(w):
    from mesocentre.tenancy.models import ScientificTheme

    n = next(_serial)
    make(ScientificTheme, code=f"theme-q{n}", name=f"Theme {n}")


def build_establishment(w):
    from mesocentre.tenancy.models import Establishment, Membership

    n = next(_serial)
    est = make(Establishment, code=f"est-q{n}", name=f"Establishment {n}", kind="university")
    make(Membership, user=w.operator, establishment=est, role="manager")


def build_laboratory(w):
    from mesocentre.tenancy.models import Laboratory

    n = next(_serial)
    lab = make(Laboratory, code=f"lab-q{n}", name=f"Laboratory {n}", theme=w.theme)
    lab.establishments.set([w.A.establishment, w.B.establishment])


def build_membership(w):
    from mesocentre.tenancy.models import Membership

    make(Membership, user=user("member"), establishment=w.A.establishment, laboratory=w.A.laboratory, role="member")


def build_establishment_invitation(w):
    from mesocentre.core.tokens import token_digest
    from mesocentre.tenancy.invitation_models import EstablishmentInvitation

    n = next(_serial)
    make(
        EstablishmentInvitation,
        establishment=w.A.establishment,
        laboratory=w.A.laboratory,
        invited_by=w.A.manager,
        invitee=w.outsider,
        username="outsider",
        token_digest=token_digest(f"est-q{n}"),
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )


def build_charter_version(w):
    from mesocentre.tenancy.models import CharterVersion

    n = next(_serial)
    make(
        CharterVersion,
        number=100 + n,
        text=f"Version {n}.",
        in_force_from=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC) - datetime.timedelta(days=n),
        published_by=w.operator,
    )


def build_price_list(w):
    from mesocentre.catalogue.models import PriceList

    n = next(_serial)
    make(PriceList, code=f"list-q{n}", name=f"List {n}")


def build_offering(w):
    from mesocentre.catalogue.models import Offering

    n = next(_serial)
    make(Offering, code=f"offering-q{n}", name=f"Offering {n}", kind="storage", team=w.A.team)


def build_plan(w):
    from mesocentre.catalogue.models import Component, Plan

    n = next(_serial)
    plan = make(Plan, offering=w.A.offering, code=f"plan-q{n}", name=f"Plan {n}")
    make(Component, plan=plan, code="gb", name="GB", unit="GB", billing_type="usage")


def build_component(w):
    from mesocentre.catalogue.models import Component

    n = next(_serial)
    make(Component, plan=w.plan, code=f"component-q{n}", name=f"Component {n}", unit="GB", billing_type="usage")


def build_price(w):
    from mesocentre.catalogue.models import Price

    n = next(_serial)
    start = datetime.date(1900 + n, 1, 1)
    make(Price, component=w.A.component, amount=Decimal("1.5"), valid_from=start, valid_until=start.replace(month=12))


def build_site(w):
    from mesocentre.capacity.models import Site

    n = next(_serial)
    make(Site, code=f"site-q{n}", name=f"Site {n}")


def build_host(w):
    from mesocentre.capacity.models import Host

    make(Host, site=w.site, name=f"host-q{next(_serial)}", vcpu=64, ram_gb=256)


def build_pod(w):
    from mesocentre.capacity.models import Pod, Rack

    n = next(_serial)
    pod = make(Pod, code=f"pod-q{n}", name=f"POD {n}", site=w.site)
    make(Rack, pod=pod, number=1, power_budget_kw=Decimal("7.5"))  # what the list's totals and racks show


def build_rack(w):
    from mesocentre.capacity.models import Rack

    make(Rack, pod=w.pod, number=100 + next(_serial))


def build_team(w):
    from mesocentre.tenancy.models import Team, TeamMembership

    n = next(_serial)
    team = make(Team, code=f"team-q{n}", name=f"Team {n}", kind="compute")
    make(TeamMembership, team=team, user=w.operator)  # its members are shown


def _operation(w, state="failed"):
    from mesocentre.provisioning.models import Operation

    n = next(_serial)
    return make(
        Operation,
        backend="manual",
        resource_type="rack",
        resource_key=f"rack-q{n}",
        target={"racks": 1},
        state=state,
        attempts=1,
        requested_by=w.operator,
    )


def build_operation(w):
    _operation(w)


def build_manual_task(w):
    from mesocentre.provisioning.models import ManualTask

    make(ManualTask, operation=_operation(w, "waiting"), title=f"Rack {next(_serial)}")


def _project(w):
    from mesocentre.projects.models import Project

    n = next(_serial)
    tn = w.A
    return make(
        Project,
        code=f"q{n}-project",
        title=f"Project {n}",
        laboratory=tn.laboratory,
        paying_establishment=tn.establishment,
        theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )


def build_project(w):
    from mesocentre.projects.models import ProjectMembership

    project = _project(w)
    make(ProjectMembership, project=project, user=user("pi"), role="pi")


def build_project_membership(w, project=None):
    from mesocentre.projects.models import ProjectMembership

    make(ProjectMembership, project=project or w.A.project, user=user("student"))


def build_project_invitation(w):
    from mesocentre.core.tokens import token_digest
    from mesocentre.projects.models import ProjectInvitation

    make(
        ProjectInvitation,
        project=_project(w),
        invited_by=w.A.member,
        invitee=w.outsider,
        username="outsider",
        token_digest=token_digest(f"project-q{next(_serial)}"),
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )


def build_call(w):
    from mesocentre.hpc.models import Call, Round

    n = next(_serial)
    call = make(Call, code=f"call-q{n}", name=f"Call {n}")
    now = timezone.now()
    make(Round, call=call, name="Round", opens_at=now, closes_at=now + datetime.timedelta(days=30), cpu_budget=1000)


def build_round(w):
    from mesocentre.hpc.models import Round, RoundBudget

    now = timezone.now()
    round_ = make(
        Round,
        call=w.call,
        name=f"Round {next(_serial)}",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
        cpu_budget=1000,
    )
    make(RoundBudget, round=round_, theme=w.theme, cpu_budget=500)
    make(RoundBudget, round=round_, laboratory=w.A.laboratory, cpu_budget=500)


def build_request(w, project=None):
    from mesocentre.hpc.models import AllocationRequest, Round

    round_ = w.A.round
    if project is not None:  # a project asks once per round
        now = timezone.now()
        closes = now + datetime.timedelta(days=30)
        round_ = make(Round, call=w.call, name=f"Round {next(_serial)}", opens_at=now, closes_at=closes, cpu_budget=1)
    return make(
        AllocationRequest,
        project=project or _project(w),
        round=round_,
        cpu_core_hours=1000,
        justification="Runs.",
        status="under_review",
        submitted_at=timezone.now(),
    )


def build_assignment(w, reviewer=None):
    from mesocentre.hpc.models import ReviewAssignment

    return make(ReviewAssignment, request=build_request(w), reviewer=reviewer or user("committee", is_reviewer=True))


def build_review(w):
    from mesocentre.hpc.models import Review

    make(Review, assignment=build_assignment(w), score=4, public_comment="Good.", private_comment="Fine.")


def build_allocation(w, project=None):
    from mesocentre.hpc.models import Allocation, ChangeRequest

    allocation = make(
        Allocation,
        project=project or _project(w),
        cluster=f"cluster-q{next(_serial)}",
        cpu_core_hours=1000,
        gpu_hours=10,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    for status in ("approved", "pending"):
        make(
            ChangeRequest,
            allocation=allocation,
            change_type="more_hours",
            extra_cpu_core_hours=100,
            justification="More.",
            status=status,
            requested_by=w.A.member,
        )
    return allocation


def build_change_request(w):
    from mesocentre.hpc.models import Allocation, ChangeRequest

    allocation = make(
        Allocation,
        project=_project(w),
        cpu_core_hours=1000,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    make(
        ChangeRequest,
        allocation=allocation,
        change_type="more_hours",
        extra_cpu_core_hours=100,
        justification="More.",
        requested_by=w.A.member,
    )
    # A decided one too: the page lists both the pending and the decided.
    make(
        ChangeRequest,
        allocation=allocation,
        change_type="more_hours",
        extra_cpu_core_hours=50,
        justification="More.",
        status="approved",
        requested_by=w.A.member,
        decided_by=w.operator,
    )


def build_publication(w):
    from mesocentre.projects.models import Publication

    make(Publication, project=_project(w), title=f"Paper {next(_serial)}", doi="10.1000/paper", year=2025)


def build_grant(w):
    from mesocentre.projects.models import Grant

    make(Grant, project=_project(w), funder="ANR", reference=f"ANR-q{next(_serial)}")


def build_audit_entry(w):
    from mesocentre.audit.models import AuditEntry

    n = next(_serial)
    make(
        AuditEntry,
        user=w.operator,
        actor="operator",
        action="update",
        object_type="tenancy.establishment",
        object_id=str(w.A.establishment.pk),
        object_repr=f"Establishment {n}",
        before={"name": "Before"},
        after={"name": f"After {n}"},
    )


def build_user(w):
    from mesocentre.tenancy.models import Membership

    make(Membership, user=user("person"), establishment=w.A.establishment, role="member")


def build_resource(w):
    """A resource of A's project with a closed period and the one in force (a list shows the latter's plan)."""
    from mesocentre.resources.models import Resource, ResourcePeriod

    n = next(_serial)
    resource = make(
        Resource, project=w.A.project, offering=w.storage_offering, name=f"volume-q{n}", backend="manual", state="ok"
    )
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    middle = start + datetime.timedelta(days=30)
    common = {"resource": resource, "plan": w.storage_plan}
    make(ResourcePeriod, **common, quantities={"storage_gb": "10"}, valid_from=start, valid_until=middle)
    make(ResourcePeriod, **common, quantities={"storage_gb": "20"}, valid_from=middle)


def build_order(w):
    """An order of A's project approved for the project, by a user of its own (its author and approver are shown)."""
    from mesocentre.resources.models import Order

    make(
        Order,
        project=w.A.project,
        offering=w.storage_offering,
        plan=w.storage_plan,
        type="create",
        state="pending_provider",
        name=f"volume-q{next(_serial)}",
        quantities={"storage_gb": "10"},
        created_by=user("orderer"),
        consumer_reviewed_by=user("approver"),
        consumer_reviewed_at=timezone.now(),
    )


def build_quota(w):
    """A quota of a new project of A (one per project and dimension)."""
    from mesocentre.resources.models import Quota

    make(Quota, project=_project(w), dimension="vcpu", limit=Decimal(64))


def build_invoice(w):
    """An issued invoice of A's establishment (seen by its manager too), a quarter of its own."""
    from scoping_world import issued_invoice

    n = next(_serial)
    issued_invoice(w.A.establishment, f"F-2099-{n:06d}", f"{2100 + n}Q1", w.A.project.code)


def build_budget(w):
    """A quarter's budget of a new project of A (2026 Q2, the world's running quarter: its draft is computed)."""
    from mesocentre.billing.models import Budget

    make(Budget, project=_project(w), period="quarter", year=2026, quarter=2, amount_ht=Decimal("100.00"))


def builders():
    from mesocentre.audit.models import AuditEntry
    from mesocentre.billing.models import Budget, Invoice
    from mesocentre.capacity.models import Host, Pod, Rack, Site
    from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
    from mesocentre.hpc import models as h
    from mesocentre.projects import models as p
    from mesocentre.provisioning.models import ManualTask, Operation
    from mesocentre.resources.models import Order, Quota, Resource
    from mesocentre.tenancy import models as t
    from mesocentre.tenancy.invitation_models import EstablishmentInvitation

    return {
        t.ScientificTheme: build_theme,
        t.Establishment: build_establishment,
        t.Laboratory: build_laboratory,
        t.User: build_user,
        t.Membership: build_membership,
        EstablishmentInvitation: build_establishment_invitation,
        t.CharterVersion: build_charter_version,
        PriceList: build_price_list,
        Offering: build_offering,
        Plan: build_plan,
        Component: build_component,
        Price: build_price,
        Site: build_site,
        Host: build_host,
        Pod: build_pod,
        Rack: build_rack,
        t.Team: build_team,
        Operation: build_operation,
        ManualTask: build_manual_task,
        p.Project: build_project,
        p.ProjectMembership: build_project_membership,
        p.ProjectInvitation: build_project_invitation,
        h.Call: build_call,
        h.Round: build_round,
        h.AllocationRequest: build_request,
        h.Review: build_review,
        h.Allocation: build_allocation,
        h.ChangeRequest: build_change_request,
        p.Publication: build_publication,
        p.Grant: build_grant,
        AuditEntry: build_audit_entry,
        Resource: build_resource,
        Order: build_order,
        Quota: build_quota,
        Invoice: build_invoice,
        Budget: build_budget,
    }
