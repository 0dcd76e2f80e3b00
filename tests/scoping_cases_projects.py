"""The permission cases of the projects app (portal and API), part of scoping_cases.CASES."""

from scoping_table import Case, Ctx, Write, by_code, of, patch
from scoping_world import AUTHENTICATED, NOBODY, OF_A, OPERATOR

PI_A = frozenset({"member_a", "operator"})  # member_a is the PI of A's project; operators act for anyone
COMMITTEE = frozenset({"reviewer", "operator"})


def _model(name: str):
    from django.apps import apps

    app = (
        "hpc"
        if name in {"Call", "Round", "RoundBudget", "AllocationRequest", "Allocation", "ChangeRequest"}
        else "projects"
    )
    return apps.get_model(app, name)


def project_invitations(c: Ctx):
    return sorted(c.obj.invitations.values_list("pk", flat=True))


def assignments_of(c: Ctx):
    return sorted(getattr(c.w, c.tenant).request.assignments.values_list("reviewer_id", flat=True))


def unreviewed(read):
    """The state of the request aimed at, once its seeded review is taken away (inside the write's savepoint, rolled
    back with it): a request the committee has not reviewed yet is what its PI may edit or withdraw."""

    def state(c: Ctx):
        from mesocentre.hpc.models import AllocationRequest, Review

        Review.objects.filter(assignment__request=c.obj).delete()
        return read(AllocationRequest.objects.get(pk=c.obj.pk))

    return state


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
        writes={"POST": Write(PI_A, patch(to="outsider", role="member"), state=project_invitations)},
        shows=lambda w, role: [w.A.student.username] if role in OF_A else [],
        why="the PI invites members here; the establishment manager reads what their establishment pays for",
    ),
    Case(
        "projects:member_remove",
        readers=NOBODY,
        target=of("student_membership"),
        writes={"POST": Write(PI_A)},
        why="POST only, by the project's PI or managers",
    ),
    Case(
        "hpc:request_create",
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
        "hpc:round_detail",
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
        "hpc:review_form",
        readers=NOBODY,
        target=of("assignment"),
        writes={"POST": Write(NOBODY, patch(score=1))},
        why="only the assigned reviewer, who is none of the five roles (see projects/tests/test_views.py)",
    ),
    Case(
        "hpc:decide",
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
        "hpc:change_request_create",
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
        "hpc:allocation_status",
        readers=NOBODY,
        target=of("allocation"),
        writes={"POST": Write(OPERATOR, patch(status="suspended"))},
        why="POST only: operators suspend, resume or expire",
    ),
    Case(
        "hpc:allocation_list",
        readers=OPERATOR,
        # Every cluster's allocations, both tenants' projects: an operator's list, refused to everyone else.
        shows=lambda w, role: [w.A.project.code, w.B.project.code] if role == "operator" else [],
    ),
    Case(
        "hpc:change_request_list",
        readers=OPERATOR,
        shows=lambda w, role: ["tenanta-project", "tenantb-project"] if role == "operator" else [],
    ),
    Case(
        "hpc:request_list",
        readers=OPERATOR,
        # Every round's requests, both tenants' projects: an operator's list, refused to everyone else.
        shows=lambda w, role: [w.A.project.code, w.B.project.code] if role == "operator" else [],
    ),
    Case(
        "projects:member_list",
        readers=OPERATOR,
        shows=lambda w, role: [w.A.project.code, w.B.project.code] if role == "operator" else [],
    ),
    Case(
        "hpc:change_request_decide",
        readers=NOBODY,
        target=of("change_request"),
        writes={"POST": Write(OPERATOR, patch(approve="yes"))},
        why="POST only: operators approve or refuse",
    ),
    Case(
        "projects:project_create",
        readers=OF_A,
        writes={
            "POST": Write(
                OF_A,
                lambda c: {
                    "code": f"new-{c.tenant.lower()}",
                    "title": "New",
                    "laboratory": getattr(c.w, c.tenant).laboratory.pk,
                    "paying_establishment": getattr(c.w, c.tenant).establishment.pk,
                    "theme": c.w.theme.pk,
                    "starts_on": "2026-07-01",
                },
                state=lambda c: sorted(_model("Project").objects.values_list("code", flat=True)),
            )
        },
        why="operators, and anyone an establishment counts as a member, in a laboratory of their memberships",
    ),
    Case("hpc:call_list", readers=AUTHENTICATED, tenant=False, why="calls and rounds are public"),
    Case("hpc:call_detail", readers=AUTHENTICATED, tenant=False, target=lambda w, t: w.call, kwargs=by_code),
    Case(
        "hpc:call_create",
        readers=OPERATOR,
        tenant=False,
        writes={
            "POST": Write(
                OPERATOR, patch(code="new-call", name="New call"), state=lambda c: _model("Call").objects.count()
            )
        },
    ),
    Case(
        "hpc:round_create",
        readers=OPERATOR,
        tenant=False,
        target=lambda w, t: w.call,
        kwargs=by_code,
        writes={
            "POST": Write(
                OPERATOR,
                patch(
                    name="New round",
                    opens_at="2026-07-01T00:00",
                    closes_at="2026-08-01T00:00",
                    cpu_budget=1000,
                    gpu_budget=0,
                ),
                state=lambda c: c.obj.rounds.count(),
            )
        },  # fmt: skip
    ),
    Case(
        "hpc:round_close",
        readers=NOBODY,
        tenant=False,
        target=of("round"),
        writes={"POST": Write(OPERATOR)},
        why="POST only: operators close an open round early",
    ),
    Case(
        "hpc:round_budget_create",
        readers=OPERATOR,
        tenant=False,
        target=of("round"),
        writes={
            "POST": Write(
                OPERATOR,
                lambda c: {"laboratory": getattr(c.w, c.tenant).laboratory.pk, "cpu_budget": 100, "gpu_budget": 0},
                state=lambda c: c.obj.budgets.count(),
            )
        },
        why="operators share a round's budget out by theme and laboratory",
    ),
    Case(
        "hpc:round_budget_delete",
        readers=NOBODY,
        tenant=False,
        target=of("round_budget"),
        writes={"POST": Write(OPERATOR, state=lambda c: _model("RoundBudget").objects.filter(pk=c.obj.pk).exists())},
        why="POST only: operators remove a line of a round's budget",
    ),
    Case(
        "hpc:assignment_list",
        readers=COMMITTEE,
        tenant=False,
        why="a reviewer's own assignments (operators: theirs, if any)",
    ),
    Case(
        "hpc:request_edit",
        readers=PI_A,
        target=of("request"),
        writes={
            "POST": Write(
                PI_A,
                patch(cpu_core_hours=900, gpu_hours=0, scratch_gb=0, justification="Fewer runs."),
                state=unreviewed(lambda r: (r.cpu_core_hours, r.justification)),
            )
        },
        why="the project's PI or managers, until the committee reviews it (the state takes the seeded review away)",
    ),
    Case(
        "hpc:request_withdraw",
        readers=NOBODY,
        target=of("request"),
        writes={"POST": Write(PI_A, state=unreviewed(lambda r: r.status))},
        why="POST only: the project's PI or managers, until it is reviewed or decided",
    ),
    Case(
        "projects:publication_create",
        readers=PI_A,
        target=of("project"),
        kwargs=by_code,
        writes={
            "POST": Write(
                PI_A,
                patch(title="New paper", doi="https://doi.org/10.1234/new", url="", year=2025),
                state=lambda c: c.obj.publications.count(),
            )
        },
        why="the project's PI or managers record its proof of impact; the establishment manager reads it",
    ),
    Case(
        "projects:publication_delete",
        readers=NOBODY,
        target=of("publication"),
        writes={"POST": Write(PI_A, state=lambda c: type(c.obj).objects.filter(pk=c.obj.pk).count())},
        why="POST only, by the project's PI or managers",
    ),
    Case(
        "projects:grant_create",
        readers=PI_A,
        target=of("project"),
        kwargs=by_code,
        writes={
            "POST": Write(
                PI_A,
                patch(funder="ERC", reference="ERC-1", amount="1000.00", starts_on="", ends_on=""),
                state=lambda c: c.obj.grants.count(),
            )
        },
        why="the project's PI or managers record its proof of impact; the establishment manager reads it",
    ),
    Case(
        "projects:grant_delete",
        readers=NOBODY,
        target=of("grant"),
        writes={"POST": Write(PI_A, state=lambda c: type(c.obj).objects.filter(pk=c.obj.pk).count())},
        why="POST only, by the project's PI or managers",
    ),
]
