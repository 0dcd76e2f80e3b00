"""The declarative table of the permission test (`test_scoping.py`): one `Case` per URL name of the project.

Two establishments, A and B, are seeded with everything the platform holds (`seed()`); the test then plays five
roles against every URL: `anonymous`, `member_a`, `manager_a` (members of establishment A), `reviewer` (committee,
member of neither) and `operator` (datacenter staff). A case says, for the object of establishment A:

- who may read it (`readers`) and who may write it with which method (`writes`);
- for lists, exactly which ids each role must find in the JSON results (`listing`);
- what must appear on the page for a role (`shows`).

"Not theirs" is derived, not declared: for a case with ``tenant=True`` the object of establishment B may be read and
written by operators only, whatever `readers` and `writes` say for A; for reference data (``tenant=False``: the
catalogue, the themes, the infrastructure) A and B are two objects with the same rules. On top of that, no body a
role reads (HTML page, browsable API, JSON) may contain the marker of a tenant that is not theirs (``tenantb``; and
``tenanta`` for the reviewer and the anonymous client) nor a link to an object of that tenant.

Adding a case for a new view: append a `Case` to `CASES` with the URL name exactly as `reverse()` takes it, a
`target` that returns the object of A and of B (or nothing for a page or a list), its `kwargs`, its readers, and a
`Write` per method the view accepts. The payload of a write must be valid for at least one role it allows: the
test checks that this role succeeds, so a refusal (even a 400) of the others means a refusal, not a typo.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

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
    from rest_framework.authtoken.models import Token

    from mesocentre.audit.models import AuditEntry
    from mesocentre.capacity.models import Host, Site
    from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
    from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, User

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
        tn.token = Token.objects.create(user=tn.member)
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
    seed_projects(w)
    return w


def seed_projects(w) -> None:
    """A project per tenant whose PI is the tenant's member; its request, in the tenant's round, is reviewed by a
    committee member of that tenant (the role "reviewer" is assigned nothing of A or B); an allocation and a pending
    change request. Rounds and calls are reference data: no marker.

    Made with bulk_create, so without audit entries: the audit page (50 newest) must still show B's establishment.
    """
    from django.utils import timezone

    from mesocentre.projects.models import (
        Allocation,
        AllocationRequest,
        Call,
        ChangeRequest,
        Project,
        ProjectMembership,
        Review,
        ReviewAssignment,
        Round,
    )
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
        tn.change_request = make(
            ChangeRequest,
            allocation=tn.allocation,
            change_type="more_hours",
            extra_cpu_core_hours=100,
            justification="More.",
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


# --------------------------------------------------------------------------------------------------- the table
@dataclass
class Ctx:
    """What a payload or a state function gets: the world, the tenant aimed at, its object, the API view if any."""

    w: Any
    tenant: str
    obj: Any
    view: Any = None


@dataclass(frozen=True)
class Write:
    """A write the view accepts. ``allowed``: who may do it to A's object (B's: operators only, for tenant data).

    ``state`` snapshots what the write would change (default: the target's row, or the number of rows of the
    view's model for a create); a refused write must leave it equal, an allowed one must change it unless
    ``changes`` is False (the write is allowed but only ever touches the caller's own data).
    """

    allowed: frozenset
    payload: Callable[[Ctx], dict] | None = None
    state: Callable[[Ctx], Any] | None = None
    changes: bool = True
    check_state: bool = True


def patch(**change) -> Callable[[Ctx], dict]:
    return lambda c: change


def put(**change) -> Callable[[Ctx], dict]:
    """A full representation of the target, as its serializer writes it, with ``change`` applied."""
    return lambda c: {**c.view.serializer_class(c.obj).data, **change}


def api_detail(allowed: frozenset, change: dict, delete: frozenset | None = None) -> dict[str, Write]:
    return {
        "PUT": Write(allowed, put(**change)),
        "PATCH": Write(allowed, patch(**change)),
        "DELETE": Write(allowed if delete is None else delete),
    }


@dataclass(frozen=True)
class Case:
    name: str  # the URL name, namespaced, as reverse() takes it
    readers: frozenset  # who may GET it (for A's object when the URL takes one)
    target: Callable[[Any, str], Any] | None = None  # the object of tenant "A" or "B" the URL is about
    kwargs: Callable[[Any], dict] = lambda obj: {"pk": obj.pk}
    tenant: bool = True  # B's object is nobody's here but the operators'
    api: bool = False  # DRF view: JSON writes, browsable API read too, 401/403 for anonymous
    writes: dict[str, Write] = field(default_factory=dict)
    # Lists: the exact set of ids a role must get in the JSON results.
    listing: Callable[[Any, str], set] | None = None
    # Strings a role must find in the body of the page (of A's object): a page that lists things shows A's to A's.
    shows: Callable[[Any, str], Iterable[str]] = lambda w, role: ()
    why: str = ""  # for a case whose rule is not obvious


def tenant_list(attr: str, readers=OF_A):
    """The ids of tenant A's objects for A's people, everything for operators, nothing for others."""

    def listing(w, role):
        if role == "operator":
            return all_ids(type(getattr(w.A, attr)))
        return {getattr(w.A, attr).pk} if role in readers else set()

    return listing


def everything(model_path: str):
    def listing(w, role):
        from django.apps import apps

        return all_ids(apps.get_model(model_path))

    return listing


def by_role(model_path: str, **ids: Callable[[Any], Iterable]) -> Callable[[Any, str], set]:
    """Exactly these objects for these roles, nothing for the others, everything for operators."""

    def listing(w, role):
        if role == "operator":
            return everything(model_path)(w, role)
        return {o.pk for o in ids.get(role, lambda w: ())(w)}

    return listing


def api(name: str, **kw) -> Case:
    return Case(name=name, api=True, **kw)


def reference(prefix: str, attr: str, readers: frozenset, model: str, create, change: dict) -> list[Case]:
    """An API viewset of reference data: ``readers`` read both objects, only operators write.

    ``create``: the payload of a POST, or a function of the world returning it when it needs seeded ids.
    """
    make = create if callable(create) else (lambda w: create)
    return [
        api(
            f"{prefix}-list",
            readers=readers,
            tenant=False,
            listing=(lambda w, role, m=model: everything(m)(w, role) if role in readers else set()),
            writes={"POST": Write(OPERATOR, lambda c: make(c.w))},
        ),
        api(
            f"{prefix}-detail",
            readers=readers,
            tenant=False,
            target=lambda w, t, a=attr: getattr(getattr(w, t), a),
            writes=api_detail(OPERATOR, change),
        ),
    ]


def memberships_of(c: Ctx):
    from mesocentre.tenancy.models import Membership

    establishment = getattr(c.w, c.tenant).establishment
    return sorted(Membership.objects.filter(establishment=establishment).values_list("user_id", "role"))


def prices_of(c: Ctx):
    return sorted(c.obj.prices.values_list("pk", "amount", "valid_from", "valid_until"))


def tokens_of_b(c: Ctx):
    from rest_framework.authtoken.models import Token

    return sorted(Token.objects.filter(user__memberships__establishment=c.w.B.establishment).values_list("key"))


QUOTE = {"period": "year", "price_list": "academic", "items": [{"kind": "hpc", "core_hours": "1000"}]}

PI_A = frozenset({"member_a", "operator"})  # member_a is the PI of A's project; operators act for anyone
COMMITTEE = frozenset({"reviewer", "operator"})


def project_members(c: Ctx):
    return sorted(c.obj.memberships.values_list("user_id", "role"))


def assignments_of(c: Ctx):
    return sorted(getattr(c.w, c.tenant).request.assignments.values_list("reviewer_id", flat=True))


def of(attr: str):
    return lambda w, t: getattr(getattr(w, t), attr)


def by_code(o) -> dict:
    return {"code": o.code}


PROJECT_CASES: list[Case] = [
    # ---- projects portal
    Case(
        "projects:project_list",
        readers=AUTHENTICATED,
        shows=lambda w, role: [w.A.project.title] * (role in OF_A) + [w.B.project.title] * (role == "operator"),
    ),
    Case(
        "projects:project_detail",
        readers=OF_A,
        target=of("project"),
        kwargs=by_code,
        writes={"POST": Write(PI_A, patch(username="outsider", role="member"), state=project_members)},
        shows=lambda w, role: [w.A.student.username] if role in OF_A else [],
        why="the PI adds members here; the establishment manager reads what their establishment pays for",
    ),
    Case(
        "projects:member_remove",
        readers=NOBODY,
        target=of("student_membership"),
        writes={"POST": Write(PI_A)},
        why="POST only, by the project's PI or managers",
    ),
    Case(
        "projects:request_create",
        readers=PI_A,
        target=of("project"),
        kwargs=by_code,
        writes={
            "POST": Write(
                PI_A,
                lambda c: {
                    "round": c.w.open_round.pk,
                    "cpu_core_hours": 1000,
                    "gpu_hours": 0,
                    "scratch_gb": 0,
                    "justification": "Runs.",
                },
                state=lambda c: c.obj.requests.count(),
            )
        },  # fmt: skip
    ),
    Case(
        "projects:round_detail",
        readers=COMMITTEE,
        tenant=False,
        target=of("round"),
        writes={
            "POST": Write(
                OPERATOR,
                lambda c: {"request": getattr(c.w, c.tenant).request.pk, "reviewer": "reviewer"},
                state=assignments_of,
            )
        },
        why="reviewers see the requests assigned to them and the totals by theme; operators assign reviewers",
    ),
    Case(
        "projects:review_form",
        readers=NOBODY,
        target=of("assignment"),
        writes={"POST": Write(NOBODY, patch(score=1))},
        why="only the assigned reviewer, who is none of the five roles (see projects/tests/test_views.py)",
    ),
    Case(
        "projects:decide",
        readers=OPERATOR,
        target=of("request"),
        writes={
            "POST": Write(
                OPERATOR,
                patch(
                    cpu_core_hours=500,
                    gpu_hours=0,
                    reason="Budget.",
                    starts_on="2026-01-01",
                    ends_on="2026-12-31",
                    cluster="mesocentre",
                ),
            )
        },  # fmt: skip
    ),
    Case(
        "projects:project_close",
        readers=NOBODY,
        target=of("project"),
        kwargs=by_code,
        writes={"POST": Write(PI_A)},
        why="POST only: the project's PI or managers, or operators",
    ),
    Case(
        "projects:change_request_create",
        readers=PI_A,
        target=of("allocation"),
        writes={
            "POST": Write(
                PI_A,
                patch(change_type="more_hours", extra_cpu_core_hours=10, extra_gpu_hours=0, justification="More."),
                state=lambda c: c.obj.change_requests.count(),
            )
        },
        why="the PI or a manager of the project asks; the establishment manager only reads the project",
    ),
    Case(
        "projects:allocation_status",
        readers=NOBODY,
        target=of("allocation"),
        writes={"POST": Write(OPERATOR, patch(status="suspended"))},
        why="POST only: operators suspend, resume or expire",
    ),
    Case(
        "projects:change_request_list",
        readers=OPERATOR,
        shows=lambda w, role: ["tenanta-project", "tenantb-project"] if role == "operator" else [],
    ),
    Case(
        "projects:change_request_decide",
        readers=NOBODY,
        target=of("change_request"),
        writes={"POST": Write(OPERATOR, patch(approve="yes"))},
        why="POST only: operators approve or refuse",
    ),
    # ---- projects API
    api("projects-api:api-root", readers=AUTHENTICATED),
    api(
        "projects-api:project-list",
        readers=AUTHENTICATED,
        listing=tenant_list("project"),
        writes={
            "POST": Write(
                OF_A,
                lambda c: {
                    "code": f"new-{c.tenant.lower()}",
                    "title": "New",
                    "laboratory": getattr(c.w, c.tenant).laboratory.pk,
                    "paying_establishment": getattr(c.w, c.tenant).establishment.pk,
                    "theme": c.w.theme.pk,
                    "starts_on": "2026-01-01",
                },
            )
        },
        why="anyone of a laboratory creates a project in it and becomes its PI",
    ),
    api("projects-api:project-detail", readers=OF_A, target=of("project")),
    api(
        "projects-api:project-close",
        readers=NOBODY,
        target=of("project"),
        writes={"POST": Write(PI_A)},
        why="POST only: the project's PI or managers, or operators",
    ),
    api(
        "projects-api:projectmembership-list",
        readers=AUTHENTICATED,
        listing=by_role(
            "projects.ProjectMembership",
            member_a=lambda w: [w.A.pi_membership, w.A.student_membership],
            manager_a=lambda w: [w.A.pi_membership, w.A.student_membership],
        ),
        writes={
            "POST": Write(
                PI_A,
                lambda c: {"project": getattr(c.w, c.tenant).project.pk, "user": c.w.outsider.pk, "role": "member"},
            )
        },
    ),
    api(
        "projects-api:projectmembership-detail",
        readers=OF_A,
        target=of("student_membership"),
        writes={"DELETE": Write(PI_A)},
    ),
    api("projects-api:call-list", readers=AUTHENTICATED, tenant=False, listing=everything("projects.Call")),
    api("projects-api:call-detail", readers=AUTHENTICATED, tenant=False, target=lambda w, t: w.call),
    api("projects-api:round-list", readers=AUTHENTICATED, tenant=False, listing=everything("projects.Round")),
    api("projects-api:round-detail", readers=AUTHENTICATED, tenant=False, target=of("round")),
    api(
        "projects-api:round-summary",
        readers=COMMITTEE,
        tenant=False,
        target=of("round"),
        why="by theme for the committee, by laboratory for operators only",
    ),
    api(
        "projects-api:allocationrequest-list",
        readers=AUTHENTICATED,
        listing=tenant_list("request"),
        writes={
            "POST": Write(
                PI_A,
                lambda c: {
                    "project": getattr(c.w, c.tenant).project.pk,
                    "round": c.w.open_round.pk,
                    "cpu_core_hours": 1000,
                    "justification": "Runs.",
                },
            )
        },  # fmt: skip
    ),
    api("projects-api:allocationrequest-detail", readers=OF_A, target=of("request")),
    api(
        "projects-api:review-list",
        readers=AUTHENTICATED,
        listing=by_role("projects.Review"),
        why="undecided requests: only their reviewer (none of the roles) and operators read the reviews",
    ),
    api("projects-api:review-detail", readers=OPERATOR, target=of("review")),
    api("projects-api:allocation-list", readers=AUTHENTICATED, listing=tenant_list("allocation")),
    api("projects-api:allocation-detail", readers=OF_A, target=of("allocation")),
    api(
        "projects-api:allocation-status",
        readers=NOBODY,
        target=of("allocation"),
        writes={"POST": Write(OPERATOR, patch(status="expired"))},
        why="POST only: operators suspend, resume or expire",
    ),
    api(
        "projects-api:changerequest-list",
        readers=AUTHENTICATED,
        listing=tenant_list("change_request"),
        writes={
            "POST": Write(
                PI_A,
                lambda c: {
                    "allocation": getattr(c.w, c.tenant).allocation.pk,
                    "change_type": "more_hours",
                    "extra_cpu_core_hours": 100,
                    "justification": "More.",
                },
            )
        },  # fmt: skip
    ),
    api("projects-api:changerequest-detail", readers=OF_A, target=of("change_request")),
    api(
        "projects-api:changerequest-approve",
        readers=NOBODY,
        target=of("change_request"),
        writes={"POST": Write(OPERATOR)},
        why="POST only: operators approve; the Slurm limit rises in the same transaction",
    ),
]

CASES: list[Case] = [
    # ---- public pages
    Case("portal:home", readers=EVERYONE, shows=lambda w, role: ["Offering a"]),
    Case("catalogue:offering_list", readers=EVERYONE, shows=lambda w, role: ["Offering a", "Offering b"]),
    Case(
        "catalogue:offering_detail",
        readers=EVERYONE,
        tenant=False,
        target=lambda w, t: getattr(w, t).offering,
        kwargs=lambda o: {"code": o.code},
    ),
    Case("billing:calculator", readers=EVERYONE),
    Case(
        "catalogue:tariff_create",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).component,
        writes={"POST": Write(OPERATOR, patch(amount="2.50", valid_from="2031-01-01"), state=prices_of)},
        why="operators start a new tariff from the catalogue page; POST only",
    ),
    Case("login", readers=EVERYONE),
    Case(
        "logout",
        readers=NOBODY,
        tenant=False,
        writes={"POST": Write(EVERYONE, check_state=False)},
        why="Django 5 logs out on POST only; GET answers 405",
    ),
    Case(
        "set_language",
        readers=EVERYONE,
        tenant=False,
        writes={"POST": Write(EVERYONE, patch(language="fr", next="/"), check_state=False)},
    ),
    Case("javascript-catalog", readers=EVERYONE),
    Case("schema", readers=EVERYONE),
    Case("api-docs", readers=EVERYONE),
    Case("api-redoc", readers=EVERYONE),
    Case("healthz", readers=EVERYONE),
    Case("prometheus-django-metrics", readers=EVERYONE),
    api(
        "billing-api:quote",
        readers=NOBODY,
        tenant=False,
        writes={"POST": Write(EVERYONE, patch(**QUOTE), check_state=False)},
        why="the public cost calculator: POST only, computes, stores nothing",
    ),
    # ---- tenancy portal
    Case(
        "tenancy:establishment_list",
        readers=AUTHENTICATED,
        shows=lambda w, role: (
            [w.A.establishment.name] * (role in OF_A) + [w.B.establishment.name] * (role == "operator")
        ),
    ),
    Case(
        "tenancy:establishment_detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).establishment,
        kwargs=lambda o: {"code": o.code},
        writes={"POST": Write(MANAGERS_A, patch(username="outsider", role="member"), state=memberships_of)},
        shows=lambda w, role: [w.A.member.username] if role in OF_A else [],
        why="managers add members from this page",
    ),
    Case(
        "tenancy:membership_delete",
        readers=NOBODY,
        target=lambda w, t: getattr(w, t).membership,
        writes={"POST": Write(MANAGERS_A)},
        why="POST only; a member sees their own membership but may not remove it",
    ),
    Case(
        "tenancy:account",
        readers=AUTHENTICATED,
        tenant=False,
        writes={"POST": Write(AUTHENTICATED, state=tokens_of_b, changes=False)},
        why="POST rotates the caller's own token: B's tokens never change",
    ),
    # ---- audit portal
    Case("audit:entry_list", readers=OPERATOR, shows=lambda w, role: [w.B.establishment.name] * (role == "operator")),
    # ---- API roots
    *(
        api(f"{ns}:api-root", readers=AUTHENTICATED)
        for ns in ("tenancy-api", "catalogue-api", "capacity-api", "audit-api")
    ),
    # ---- tenancy API
    *reference(
        "tenancy-api:scientifictheme",
        "theme",
        EVERYONE,
        "tenancy.ScientificTheme",
        create={"code": "new-theme", "name": "New theme"},
        change={"name": "Changed"},
    ),
    api(
        "tenancy-api:establishment-list",
        readers=AUTHENTICATED,
        listing=tenant_list("establishment"),
        writes={"POST": Write(OPERATOR, patch(code="new-est", name="New establishment", kind="company"))},
    ),
    api(
        "tenancy-api:establishment-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).establishment,
        writes=api_detail(OPERATOR, {"address": "Changed"}, delete=NOBODY),
        why="an establishment that pays for projects cannot be deleted (409), not even by operators",
    ),
    api(
        "tenancy-api:laboratory-list",
        readers=AUTHENTICATED,
        listing=tenant_list("laboratory"),
        writes={
            "POST": Write(
                OPERATOR,
                lambda c: {
                    "code": f"new-lab-{c.tenant}".lower(),
                    "name": "New lab",
                    "establishments": [getattr(c.w, c.tenant).establishment.pk],
                },
            )
        },
    ),
    api(
        "tenancy-api:laboratory-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).laboratory,
        writes=api_detail(OPERATOR, {"name": "Changed"}, delete=NOBODY),
        why="a laboratory with projects cannot be deleted (409), not even by operators",
    ),
    api(
        "tenancy-api:user-list",
        readers=AUTHENTICATED,
        listing=by_role(
            "tenancy.User",
            member_a=lambda w: [w.A.member],
            manager_a=lambda w: [w.A.manager, w.A.member],
            reviewer=lambda w: [w.reviewer],
        ),
        writes={"POST": Write(OPERATOR, lambda c: {"username": f"new-user-{c.tenant}".lower()})},
        why="everyone sees themself; managers see their establishment's members",
    ),
    api(
        "tenancy-api:user-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).member,
        writes=api_detail(frozenset({"member_a", "operator"}), {"first_name": "Changed"}, delete=OPERATOR),
        why="a user edits their own profile, operators anyone's; the manager reads but does not edit",
    ),
    api(
        "tenancy-api:membership-list",
        readers=AUTHENTICATED,
        listing=by_role(
            "tenancy.Membership",
            member_a=lambda w: [w.A.membership],
            manager_a=lambda w: [w.A.membership, w.A.manager_membership],
        ),
        writes={
            "POST": Write(
                MANAGERS_A,
                lambda c: {"user": c.w.outsider.pk, "establishment": getattr(c.w, c.tenant).establishment.pk},
            )
        },
        why="members see their own membership; managers add and see their establishment's",
    ),
    api(
        "tenancy-api:membership-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).membership,
        writes=api_detail(MANAGERS_A, {"role": "manager"}),
    ),
    # ---- catalogue API: everyone reads, even anonymous; operators write
    *reference(
        "catalogue-api:pricelist",
        "price_list",
        EVERYONE,
        "catalogue.PriceList",
        create={"code": "new-list", "name": "New"},
        change={"margin_percent": "99.00"},
    ),
    *reference(
        "catalogue-api:offering",
        "offering",
        EVERYONE,
        "catalogue.Offering",
        create={"code": "new-offering", "name": "New", "kind": "storage"},
        change={"name": "Changed"},
    ),
    *reference(
        "catalogue-api:plan",
        "plan",
        EVERYONE,
        "catalogue.Plan",
        create=lambda w: {"offering": w.A.offering.pk, "code": "new-plan", "name": "New"},
        change={"name": "Changed"},
    ),
    *reference(
        "catalogue-api:component",
        "component",
        EVERYONE,
        "catalogue.Component",
        create=lambda w: {
            "plan": w.plan.pk,
            "code": "new-component",
            "name": "New",
            "unit": "GB",
            "billing_type": "usage",
        },
        change={"name": "Changed"},
    ),
    *reference(
        "catalogue-api:price",
        "price",
        EVERYONE,
        "catalogue.Price",
        create=lambda w: {"component": w.A.component.pk, "amount": "1.00", "valid_from": "2030-01-01"},
        change={"amount": "1000.000000"},
    ),
    # ---- capacity API: operators only
    *reference(
        "capacity-api:site",
        "site",
        OPERATOR,
        "capacity.Site",
        create={"code": "new-site", "name": "New"},
        change={"name": "Changed"},
    ),
    *reference(
        "capacity-api:host",
        "host",
        OPERATOR,
        "capacity.Host",
        create=lambda w: {"site": w.A.site.pk, "name": "new-host", "vcpu": 1, "ram_gb": 1},
        change={"in_maintenance": True},
    ),
    # ---- provisioning: operators only
    Case("provisioning:operation_list", readers=OPERATOR, tenant=False),
    Case("provisioning:operation_detail", readers=OPERATOR, tenant=False, target=lambda w, t: getattr(w, t).operation),
    Case(
        "provisioning:operation_retry",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).operation,
        writes={"POST": Write(OPERATOR)},
        why="POST only: an operator puts a failed operation back in the queue",
    ),
    Case("provisioning:task_list", readers=OPERATOR, tenant=False),
    Case(
        "provisioning:task_detail",
        readers=OPERATOR,
        tenant=False,
        target=lambda w, t: getattr(w, t).task,
        writes={"POST": Write(OPERATOR, patch(outcome="done", comment="Rules opened."))},
        why="an operator marks the task done or failed from its page",
    ),
    api("provisioning-api:api-root", readers=AUTHENTICATED),
    api(
        "provisioning-api:operation-list",
        readers=OPERATOR,
        tenant=False,
        listing=lambda w, role: all_ids(type(w.A.operation)) if role == "operator" else set(),
    ),
    api(
        "provisioning-api:operation-detail", readers=OPERATOR, tenant=False, target=lambda w, t: getattr(w, t).operation
    ),
    api(
        "provisioning-api:operation-retry",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).operation,
        writes={"POST": Write(OPERATOR)},
    ),
    api(
        "provisioning-api:manualtask-list",
        readers=OPERATOR,
        tenant=False,
        listing=lambda w, role: all_ids(type(w.A.task)) if role == "operator" else set(),
    ),
    api("provisioning-api:manualtask-detail", readers=OPERATOR, tenant=False, target=lambda w, t: getattr(w, t).task),
    api(
        "provisioning-api:manualtask-complete",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).task,
        writes={"POST": Write(OPERATOR, patch(done=True, comment="Rules opened."))},
    ),
    # ---- audit API: operators read, nobody writes
    api(
        "audit-api:auditentry-list",
        readers=OPERATOR,
        listing=lambda w, role: all_ids(type(w.A.audit_entry)) if role == "operator" else set(),
        writes={"POST": Write(NOBODY, patch(action="create"))},
    ),
    api(
        "audit-api:auditentry-detail",
        readers=OPERATOR,
        target=lambda w, t: getattr(w, t).audit_entry,
        writes=api_detail(NOBODY, {"actor": "someone else"}),
        why="append-only: even operators get 405",
    ),
]


CASES += PROJECT_CASES

CASES_BY_NAME = {case.name: case for case in CASES}
