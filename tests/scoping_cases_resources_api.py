"""The permission cases of the resources app's API, part of scoping_cases.CASES."""

from scoping_cases_resources_portal import _priced
from scoping_table import Case, Ctx, Write, api, api_detail, by_role, of, tenant_list
from scoping_world import AUTHENTICATED, NOBODY, OF_A, OPERATOR

# Who approves, rejects or cancels A's order awaiting its project: its PI (member_a) and the manager of the
# establishment that pays for it. Operators approve for the offering's team, not for a project (the world's
# operator is in no team of the offering), so they are refused here, A's order or B's.
PROJECT_SIDE_A = frozenset({"member_a", "manager_a"})


def new_order(c) -> dict:
    """A new volume of the world's storage plan for the tenant's project."""
    return {
        "project": getattr(c.w, c.tenant).project.pk,
        "type": "create",
        "plan": c.w.storage_plan.pk,
        "name": "new-volume",
        "quantities": {"storage_gb": 10},
    }


def order_count(c: Ctx) -> int:
    from mesocentre.resources.models import Order

    return Order.objects.count()


def orders_of_a(w) -> list:
    return [w.A.order, w.A.done_order]


RESOURCE_API_CASES: list[Case] = [
    api("resources-api:api-root", readers=AUTHENTICATED),
    # ---- resources: read-only, those of the caller's projects (orders change them)
    api("resources-api:resource-list", readers=AUTHENTICATED, listing=tenant_list("resource")),
    api("resources-api:resource-detail", readers=OF_A, target=of("resource")),
    # ---- orders: the project's people place them; the project's side approves, then the offering's team
    api(
        "resources-api:order-list",
        readers=AUTHENTICATED,
        listing=by_role("resources.Order", member_a=orders_of_a, manager_a=orders_of_a),
        # The estimate needs the world's storage plan priced, and B's price list (the portal's cases do the same).
        writes={"POST": Write(OF_A, new_order, state=_priced(order_count))},
        why="the project's members and its paying establishment's managers order for it; operators for anyone",
    ),
    api("resources-api:order-detail", readers=OF_A, target=of("order")),
    api(
        "resources-api:order-approve",
        readers=NOBODY,
        target=of("order"),
        writes={"POST": Write(PROJECT_SIDE_A)},
        why="POST only: the order awaits its project (its PI or its establishment's manager)",
    ),
    api(
        "resources-api:order-reject",
        readers=NOBODY,
        target=of("order"),
        writes={"POST": Write(PROJECT_SIDE_A, lambda c: {"reason": "Not now."})},
        why="POST only: whoever may approve it now rejects it",
    ),
    api(
        "resources-api:order-cancel",
        readers=NOBODY,
        target=of("order"),
        writes={"POST": Write(PROJECT_SIDE_A, lambda c: {"reason": "Not needed."})},
        why="POST only: its author (A's student), the project's PI or manager, the offering's team",
    ),
    api(
        "resources-api:order-retry",
        readers=NOBODY,
        target=of("done_order"),
        writes={"POST": Write(NOBODY)},
        why="POST only: the offering's team retries an erred order; a done one is retried by nobody",
    ),
    # ---- quotas: read by the people of their establishment, set by operators
    api(
        "resources-api:quota-list",
        readers=AUTHENTICATED,
        listing=tenant_list("quota"),
        writes={
            "POST": Write(
                OPERATOR,
                lambda c: {"project": getattr(c.w, c.tenant).project.pk, "dimension": "vcpu", "limit": 16},
            )
        },
    ),
    api(
        "resources-api:quota-detail",
        readers=OF_A,
        target=of("quota"),
        writes=api_detail(OPERATOR, {"limit": "2000"}),
    ),
]
