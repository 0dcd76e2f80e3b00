"""The permission cases of the projects app's REST API, part of scoping_cases.CASES (the portal's are in
scoping_cases_projects)."""

from scoping_cases_projects import COMMITTEE, PI_A, unreviewed
from scoping_table import Case, Write, api, by_role, everything, of, patch, tenant_list
from scoping_world import AUTHENTICATED, NOBODY, OF_A, OPERATOR

PROJECT_API_CASES: list[Case] = [
    # ---- projects API
    api("projects-api:api-root", readers=AUTHENTICATED),
    api("hpc-api:api-root", readers=AUTHENTICATED),
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
                NOBODY,
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
    api(
        "hpc-api:call-list",
        readers=AUTHENTICATED,
        tenant=False,
        listing=everything("hpc.Call"),
        writes={"POST": Write(OPERATOR, patch(code="api-call", name="API call"))},
    ),
    api("hpc-api:call-detail", readers=AUTHENTICATED, tenant=False, target=lambda w, t: w.call),
    api(
        "hpc-api:round-list",
        readers=AUTHENTICATED,
        tenant=False,
        listing=everything("hpc.Round"),
        writes={
            "POST": Write(
                OPERATOR,
                lambda c: {
                    "call": c.w.call.pk,
                    "name": "API round",
                    "opens_at": "2026-07-01T00:00:00Z",
                    "closes_at": "2026-08-01T00:00:00Z",
                    "cpu_budget": 1000,
                    "reviews_due_on": "2026-08-15",
                },
            )
        },  # fmt: skip
    ),
    api(
        "hpc-api:round-close",
        readers=NOBODY,
        tenant=False,
        target=of("round"),
        writes={"POST": Write(OPERATOR)},
        why="POST only: operators close an open round early",
    ),
    api("hpc-api:round-detail", readers=AUTHENTICATED, tenant=False, target=of("round")),
    api(
        "hpc-api:round-summary",
        readers=COMMITTEE,
        tenant=False,
        target=of("round"),
        why="by theme for the committee, by laboratory for operators only",
    ),
    api(
        "hpc-api:allocationrequest-list",
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
    api("hpc-api:allocationrequest-detail", readers=OF_A, target=of("request")),
    api(
        "hpc-api:allocationrequest-decide",
        readers=NOBODY,
        target=of("request"),
        writes={
            "POST": Write(
                OPERATOR,
                patch(cpu_core_hours=1000, starts_on="2026-01-01", ends_on="2026-12-31"),
                state=lambda c: list(c.obj.__class__.objects.filter(pk=c.obj.pk).values_list("status", flat=True)),
            )
        },  # fmt: skip
        why="POST only: operators record the committee's decision",
    ),
    api(
        "hpc-api:allocationrequest-edit",
        readers=NOBODY,
        target=of("request"),
        writes={
            "POST": Write(
                PI_A,
                patch(cpu_core_hours=900, justification="Fewer runs."),
                state=unreviewed(lambda r: (r.cpu_core_hours, r.justification)),
            )
        },
        why="POST only: the project's PI or managers, until it is reviewed (the state takes the seeded review away)",
    ),
    api(
        "hpc-api:allocationrequest-withdraw",
        readers=NOBODY,
        target=of("request"),
        writes={"POST": Write(PI_A, state=unreviewed(lambda r: r.status))},
        why="POST only: the project's PI or managers, until it is reviewed or decided",
    ),
    api(
        "projects-api:publication-list",
        readers=AUTHENTICATED,
        listing=tenant_list("publication"),
        writes={
            "POST": Write(
                PI_A,
                lambda c: {
                    "project": getattr(c.w, c.tenant).project.pk,
                    "title": "New",
                    "doi": "10.1000/n",
                    "year": 2025,
                },
            )
        },
        why="the project's PI or managers record its proof of impact",
    ),
    api(
        "projects-api:publication-detail",
        readers=OF_A,
        target=of("publication"),
        writes={"DELETE": Write(PI_A)},
    ),
    api(
        "projects-api:grant-list",
        readers=AUTHENTICATED,
        listing=tenant_list("grant"),
        writes={
            "POST": Write(
                PI_A,
                lambda c: {"project": getattr(c.w, c.tenant).project.pk, "funder": "ERC", "reference": "ERC-9"},
            )
        },
        why="the project's PI or managers record its proof of impact",
    ),
    api("projects-api:grant-detail", readers=OF_A, target=of("grant"), writes={"DELETE": Write(PI_A)}),
    api(
        "hpc-api:review-list",
        readers=AUTHENTICATED,
        listing=by_role("hpc.Review"),
        why="undecided requests: only their reviewer (none of the roles) and operators read the reviews",
    ),
    api("hpc-api:review-detail", readers=OPERATOR, target=of("review")),
    api("hpc-api:allocation-list", readers=AUTHENTICATED, listing=tenant_list("allocation")),
    api("hpc-api:allocation-detail", readers=OF_A, target=of("allocation")),
    api(
        "hpc-api:allocation-status",
        readers=NOBODY,
        target=of("allocation"),
        writes={"POST": Write(OPERATOR, patch(status="expired"))},
        why="POST only: operators suspend, resume or expire",
    ),
    api(
        "hpc-api:changerequest-list",
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
    api("hpc-api:changerequest-detail", readers=OF_A, target=of("change_request")),
    api(
        "hpc-api:changerequest-approve",
        readers=NOBODY,
        target=of("change_request"),
        writes={"POST": Write(OPERATOR, patch(approve=True))},
        why="POST only: operators approve; the Slurm limit rises in the same transaction",
    ),
]
