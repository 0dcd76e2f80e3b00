"""The permission cases of the budgets (API and page), part of scoping_cases.CASES: operators set every budget; an
establishment's managers its own and those of the projects it pays for; a project's PI (member_a, in the world) and
managers their project's; whoever may set a budget reads it, nobody else."""

from scoping_table import Case, Ctx, Write, api, api_detail, by_role, of
from scoping_world import AUTHENTICATED, OF_A


def _new_budget(c: Ctx) -> dict:
    return {"project": getattr(c.w, c.tenant).project.pk, "period": "year", "year": "2027", "amount_ht": "10.00"}


def _budget_count(c: Ctx):
    from mesocentre.billing.models import Budget

    return Budget.objects.count()


BUDGET_CASES: list[Case] = [
    api(
        "billing-api:budget-list",
        readers=AUTHENTICATED,
        listing=by_role(
            "billing.Budget",
            manager_a=lambda w: [w.A.budget, w.A.project_budget],
            member_a=lambda w: [w.A.project_budget],
        ),
        writes={"POST": Write(OF_A, _new_budget)},
        why="a manager reads and sets its establishment's and its projects'; a PI their project's only",
    ),
    api(
        "billing-api:budget-detail",
        readers=OF_A,
        target=of("project_budget"),
        writes=api_detail(OF_A, {"amount_ht": "250.00"}),
    ),
    Case(
        "billing:budget_list",
        readers=AUTHENTICATED,
        shows=lambda w, role: [w.A.project.code] if role in OF_A else [],
        writes={"POST": Write(OF_A, _new_budget, state=_budget_count)},
        why="the form offers only the holders the caller may set a budget for (else a 400 naming the field)",
    ),
]
