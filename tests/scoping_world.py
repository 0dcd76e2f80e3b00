"""The world of the permission test: two establishments, A and B, seeded with everything the platform holds, and
the five roles that play against them (see scoping_cases.py)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

ROLES = ("anonymous", "member_a", "manager_a", "reviewer", "operator")
EVERYONE = frozenset(ROLES)
AUTHENTICATED = EVERYONE - {"anonymous"}
OF_A = frozenset({"member_a", "manager_a", "operator"})  # A's people, and the operators who see everything
MANAGERS_A = frozenset({"manager_a", "operator"})
OPERATOR = frozenset({"operator"})
NOBODY = frozenset()

# What a role must never find in a body it reads: the marker carried by every name, code and username of a tenant.
MARKERS = {"A": "tenanta", "B": "tenantb"}
TENANTS_OF = {"anonymous": (), "member_a": ("A",), "manager_a": ("A",), "reviewer": (), "operator": ("A", "B")}


# --------------------------------------------------------------------------------------------------- the world
def seed() -> SimpleNamespace:
    """Every model, in two establishments; reference data as pairs of leaf objects (so operators may delete them)."""
    from mesocentre.audit.models import AuditEntry
    from mesocentre.capacity.models import Host, Pod, Rack, Site
    from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
    from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, Team, User
    from mesocentre.tenancy.services import rotate_token

    w = SimpleNamespace(A=SimpleNamespace(), B=SimpleNamespace())

    def user(username, **flags):
        # No password: the test logs in with force_login, and hashing one costs a third of a second.
        return User.objects.create(username=username, email=f"{username}@example.org", password="!", **flags)

    w.theme = ScientificTheme.objects.create(code="physics", name="Physics")
    w.operator = user("operator", is_operator=True, is_staff=True)
    w.reviewer = user("reviewer", is_reviewer=True)
    w.outsider = user("outsider")  # belongs to no establishment: the one managers add
    for t, kind in (("A", "university"), ("B", "company")):
        m, tn = MARKERS[t], getattr(w, t)
        tn.establishment = Establishment.objects.create(code=f"est-{m}", name=f"Establishment {m.upper()}", kind=kind)
        tn.laboratory = Laboratory.objects.create(code=f"lab-{m}", name=f"Laboratory {m.upper()}", theme=w.theme)
        tn.laboratory.establishments.set([tn.establishment])
        tn.manager = user(f"{m}-manager")
        tn.member = user(f"{m}-member", unix_login=f"{m}m")
        tn.manager_membership = Membership.objects.create(
            user=tn.manager, establishment=tn.establishment, laboratory=tn.laboratory, role="manager"
        )
        tn.membership = Membership.objects.create(
            user=tn.member, establishment=tn.establishment, laboratory=tn.laboratory, role="member"
        )
        tn.token_key = rotate_token(tn.member)  # the key in clear, which only its owner was shown
        tn.audit_entry = AuditEntry.objects.get(
            object_type="tenancy.establishment", object_id=str(tn.establishment.pk), action="create"
        )

    # Reference data: A and B are just two objects, which everyone (catalogue) or operators (capacity) see.
    for t in ("A", "B"):
        tn, n = getattr(w, t), t.lower()
        tn.theme = ScientificTheme.objects.create(code=f"theme-{n}", name=f"Theme {n}")
        tn.price_list = PriceList.objects.create(code=f"list-{n}", name=f"List {n}")
        tn.offering = Offering.objects.create(code=f"offering-{n}", name=f"Offering {n}", kind="storage")
        tn.site = Site.objects.create(code=f"site-{n}", name=f"Site {n}")
    w.price_list = PriceList.objects.create(code="academic", name="Academic")
    hpc = Offering.objects.create(code="hpc", name="HPC hours", kind="hpc")
    standard = Plan.objects.create(offering=hpc, code="standard", name="Standard")
    core_hours = Component.objects.create(
        plan=standard,
        code="core-hours",
        name="Core-hours",
        unit="core-hour",
        billing_type="usage",
        sized_by="core_hours",
    )
    Price.objects.create(component=core_hours, amount=Decimal("0.01"), valid_from=datetime.date(2020, 1, 1))
    w.plan = Plan.objects.create(offering=hpc, code="reference", name="Reference")
    priced = Component.objects.create(plan=w.plan, code="priced", name="Priced", unit="GB", billing_type="usage")
    w.site = Site.objects.create(code="site-main", name="Main site", storage_gb=1000)
    # Places: a POD holding the racks A and B, and two empty PODs A and B (which an operator may delete).
    w.pod = Pod.objects.create(code="pod-main", name="Main POD", site=w.site)
    for number, t in enumerate(("A", "B"), start=1):
        tn, n = getattr(w, t), t.lower()
        tn.pod = Pod.objects.create(code=f"pod-{n}", name=f"POD {n}", site=w.site)
        tn.rack = Rack.objects.create(pod=w.pod, number=number)
        # Teams: the operator is in both (their members are operators only).
        tn.team = Team.objects.create(code=f"team-{n}", name=f"Team {n}", kind="cloud")
        tn.team.memberships.create(user=w.operator)
    for t, year in (("A", 2020), ("B", 2021)):
        tn, n = getattr(w, t), t.lower()
        tn.plan = Plan.objects.create(offering=hpc, code=f"plan-{n}", name=f"Plan {n}")
        tn.component = Component.objects.create(
            plan=w.plan, code=f"component-{n}", name=f"Component {n}", unit="GB", billing_type="usage"
        )
        tn.price = Price.objects.create(
            component=priced,
            amount=Decimal("1.5"),
            valid_from=datetime.date(year, 1, 1),
            valid_until=datetime.date(year, 12, 31),
        )
        tn.host = Host.objects.create(site=w.site, name=f"host-{n}", vcpu=64, ram_gb=256)
    # The operation queue: infrastructure, for operators only. A failed operation (retry) and a manual task.
    from mesocentre.provisioning.models import ManualTask, Operation

    for t in ("A", "B"):
        tn, n = getattr(w, t), t.lower()
        tn.operation = Operation.objects.create(
            backend="manual",
            resource_type="rack",
            resource_key=f"rack-{n}",
            target={"racks": 1},
            state="failed",
            attempts=5,
            last_error="the rack did not fit",
        )
        waiting = Operation.objects.create(
            backend="manual",
            resource_type="firewall",
            resource_key=f"fw-{n}",
            target={"rules": []},
            state="waiting",
            attempts=1,
        )
        tn.task = ManualTask.objects.create(operation=waiting, title=f"Open the firewall {n}")
    # The usage charter's version in force, which nobody of the world has accepted yet.
    from mesocentre.tenancy.models import CharterVersion

    w.charter = CharterVersion.objects.create(
        number=1, text="Version 1.", in_force_from=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    seed_projects(w)
    return w


def seed_projects(w) -> None:
    """A project per tenant whose PI is the tenant's member; its request, in the tenant's round, is reviewed by a
    committee member of that tenant (the role "reviewer" is assigned nothing of A or B); an allocation and a pending
    change request. Rounds and calls are reference data: no marker.

    Made with bulk_create, so without audit entries: the audit page (50 newest) must still show B's establishment.
    """
    from django.utils import timezone

    from mesocentre.hpc.models import (
        Allocation,
        AllocationRequest,
        Call,
        ChangeRequest,
        Review,
        ReviewAssignment,
        Round,
        RoundBudget,
    )
    from mesocentre.projects.models import Grant, Project, ProjectMembership, Publication
    from mesocentre.tenancy.models import User

    def make(model, **fields):
        return model.objects.bulk_create([model(**fields)])[0]

    now = timezone.now()
    w.call = make(Call, code="call", name="Call")
    open_from, open_to = now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)
    w.open_round = make(Round, call=w.call, name="Open round", opens_at=open_from, closes_at=open_to, cpu_budget=10_000)
    for t in ("A", "B"):
        tn, m, n = getattr(w, t), MARKERS[t], t.lower()
        tn.round = make(
            Round,
            call=w.call,
            name=f"Round {n}",
            opens_at=open_from,
            closes_at=open_to,
            cpu_budget=10_000,
            gpu_budget=100,
        )
        tn.round_budget = make(RoundBudget, round=tn.round, theme=w.theme, cpu_budget=5_000, gpu_budget=50)
        tn.project = make(
            Project,
            code=f"{m}-project",
            title=f"Project {m.upper()}",
            laboratory=tn.laboratory,
            paying_establishment=tn.establishment,
            theme=w.theme,
            starts_on=datetime.date(2026, 1, 1),
        )
        tn.pi_membership = make(ProjectMembership, project=tn.project, user=tn.member, role="pi")
        tn.student = make(User, username=f"{m}-student", password="!")
        tn.student_membership = make(ProjectMembership, project=tn.project, user=tn.student)
        tn.request = make(
            AllocationRequest,
            project=tn.project,
            round=tn.round,
            cpu_core_hours=1000,
            justification="Runs.",
            status="under_review",
            submitted_at=now,
        )
        tn.committee = make(User, username=f"{m}-reviewer", password="!", is_reviewer=True)
        tn.assignment = make(ReviewAssignment, request=tn.request, reviewer=tn.committee)
        tn.review = make(Review, assignment=tn.assignment, score=4, public_comment="Good.")
        tn.allocation = make(
            Allocation,
            project=tn.project,
            cpu_core_hours=1000,
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
        tn.publication = make(Publication, project=tn.project, title=f"Paper {m}", doi="10.1000/paper", year=2025)
        tn.grant = make(Grant, project=tn.project, funder="ANR", reference=f"ANR-{m}")
        tn.change_request = make(
            ChangeRequest,
            allocation=tn.allocation,
            change_type="more_hours",
            extra_cpu_core_hours=100,
            justification="More.",
        )
    seed_invitations(w)
    seed_resources(w)
    seed_invoices(w)
    seed_budgets(w)


def issued_invoice(establishment, number: str, quarter: str, project: str):
    """An issued invoice of the establishment with a line and an annex entry, written past the issuing service (no
    catalogue nor records needed): what the API reads of one."""
    from django.utils import timezone

    from mesocentre.billing.models import Invoice, InvoiceAnnexLine, InvoiceLine

    invoice = Invoice.objects.bulk_create(
        [
            Invoice(
                kind="invoice",
                number=number,
                establishment=establishment,
                quarter=quarter,
                issued_at=timezone.now(),
                price_list="academic",
                total_ht=Decimal("48.13"),
                total_vat=Decimal("9.63"),
                total_ttc=Decimal("57.76"),
                buyer_name=establishment.name,
                seller_name="Seller",
            )
        ]
    )[0]
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=1,
                project=project,
                offering="cloud-vm",
                description="Bronze VM",
                quantity=1,
                unit="VM",
                unit_price_ht=Decimal("48.125"),
                amount_ht=Decimal("48.13"),
                vat_rate=Decimal("20.00"),
                period_start=datetime.date(2026, 1, 1),
                period_end=datetime.date(2026, 3, 31),
            )
        ]
    )
    InvoiceAnnexLine.objects.bulk_create(
        [
            InvoiceAnnexLine(
                invoice=invoice,
                position=1,
                project=project,
                quantity=100,
                unit="core-hours",
                value_ht=Decimal("1.00"),
                granted=1000,
                gpu_hours=0,
                granted_gpu_hours=0,
            )
        ]
    )
    return invoice


def seed_invoices(w) -> None:
    """An issued invoice per tenant, for Q1 2026 (its number carries no marker: numbers are the platform's)."""
    for index, t in enumerate(("A", "B"), start=1):
        tn = getattr(w, t)
        tn.invoice = issued_invoice(tn.establishment, f"F-2026-{index:06d}", "2026Q1", tn.project.code)


def seed_budgets(w) -> None:
    """Per tenant, a year's budget of its establishment and a quarter's of its project (2026)."""
    from mesocentre.billing.models import Budget

    for t in ("A", "B"):
        tn = getattr(w, t)
        tn.budget = Budget.objects.create(
            establishment=tn.establishment, period="year", year=2026, amount_ht=Decimal("1000.00")
        )
        tn.project_budget = Budget.objects.create(
            project=tn.project, period="quarter", year=2026, quarter=2, amount_ht=Decimal("100.00")
        )


def seed_resources(w) -> None:
    """A VM plan of offering A (kind storage in the world: a storage plan sized in GB), and per tenant a resource of
    its project held since 2026-01-01, an order to enlarge it awaiting the project (by its student), an order done,
    and a quota of its establishment. Made with bulk_create (no audit entries)."""
    from mesocentre.catalogue.models import Component, Offering, Plan
    from mesocentre.resources.models import Order, Quota, Resource, ResourcePeriod

    def make(model, **fields):
        return model.objects.bulk_create([model(**fields)])[0]

    # Its own offering: the offerings A and B are leaves that operators may delete.
    w.storage_offering = Offering.objects.create(code="volumes", name="Volumes", kind="storage")
    w.storage_plan = make(Plan, offering=w.storage_offering, code="std", name="Standard")
    make(
        Component,
        plan=w.storage_plan,
        code="storage",
        name="Storage",
        unit="GB·year",
        billing_type="limit",
        sized_by="storage_gb",
    )
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for t in ("A", "B"):
        tn, m = getattr(w, t), MARKERS[t]
        tn.resource = make(
            Resource, project=tn.project, offering=w.storage_offering, name=f"{m}-volume", backend="manual", state="ok"
        )
        tn.period = make(
            ResourcePeriod,
            resource=tn.resource,
            plan=w.storage_plan,
            quantities={"storage_gb": "100"},
            valid_from=start,
        )
        tn.order = make(
            Order,
            project=tn.project,
            offering=w.storage_offering,
            plan=w.storage_plan,
            resource=tn.resource,
            type="update",
            state="pending_consumer",
            quantities={"storage_gb": "200"},
            created_by=tn.student,
        )
        tn.done_order = make(
            Order,
            project=tn.project,
            offering=w.storage_offering,
            plan=w.storage_plan,
            resource=tn.resource,
            type="create",
            state="done",
            name=f"{m}-volume",
            quantities={"storage_gb": "100"},
            created_by=tn.student,
        )
        tn.quota = make(Quota, establishment=tn.establishment, dimension="storage_gb", limit=1000)


def seed_invitations(w) -> None:
    """A pending invitation of each tenant's establishment (by its manager) and project (by its PI), both to the
    outsider: none of the five roles is its invitee."""
    from django.utils import timezone

    from mesocentre.core.tokens import token_digest
    from mesocentre.projects.models import ProjectInvitation
    from mesocentre.tenancy.invitation_models import EstablishmentInvitation

    expires = timezone.now() + datetime.timedelta(days=14)
    for t in ("A", "B"):
        tn, m = getattr(w, t), MARKERS[t]
        common = {"username": "outsider", "invitee": w.outsider, "expires_at": expires}
        tn.establishment_invitation = EstablishmentInvitation.objects.create(
            establishment=tn.establishment, invited_by=tn.manager, token_digest=token_digest(f"est-{m}"), **common
        )
        tn.project_invitation = ProjectInvitation.objects.create(
            project=tn.project, invited_by=tn.member, token_digest=token_digest(f"project-{m}"), **common
        )


def role_user(w, role: str):
    return {
        "anonymous": None,
        "member_a": w.A.member,
        "manager_a": w.A.manager,
        "reviewer": w.reviewer,
        "operator": w.operator,
    }[role]


def all_ids(model) -> set:
    return set(model._base_manager.values_list("pk", flat=True))
