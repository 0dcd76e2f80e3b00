"""The permission cases of the resources app's pages, part of scoping_cases.CASES.

In the world, A's order awaits the project: its PI (member_a) and its establishment's manager (manager_a) approve,
reject or cancel it; the operator is in neither the project nor the offering's team (cloud), so he does not. Who
orders for a project: its members, its establishment's managers, the operators (``orders.may_order``)."""

from scoping_table import Case, Ctx, Write, of
from scoping_world import AUTHENTICATED, NOBODY, OF_A

APPROVERS_A = frozenset({"member_a", "manager_a"})  # the consumer side of A's project


def _order_count(c: Ctx):
    from mesocentre.resources.models import Order

    return Order.objects.count()


def _priced(state):
    """``state`` once the world's storage plan has a price, and B (a company) its price list (inside the write's
    savepoint, rolled back with it): an order carries the calculator's estimate, which needs both."""

    def priced(c: Ctx):
        import datetime

        from mesocentre.catalogue.models import Component, Price, PriceList

        PriceList.objects.get_or_create(code="company", defaults={"name": "Company"})

        component = Component.objects.get(plan=c.w.storage_plan)
        if not component.prices.exists():  # asked before and after the write
            Price.objects.create(component=component, amount="0.1", valid_from=datetime.date(2020, 1, 1))
        return state(c)

    return priced


def _free(state):
    """``state`` once A's (or B's) pending order on the resource is taken away, and its plan priced (inside the
    write's savepoint, rolled back with it): a resource with an order in progress takes no second one."""

    def freed(c: Ctx):
        from mesocentre.resources.models import Order

        Order.objects.filter(resource=c.obj, state__in=Order.OPEN).update(state="cancelled", reason="test")
        return state(c)

    return _priced(freed)


def _orders_of_resource(c: Ctx):
    return sorted(c.obj.orders.values_list("pk", "state"))


def _new_order(c: Ctx) -> dict:
    project = getattr(c.w, c.tenant).project
    return {"project": project.pk, "plan": c.w.storage_plan.pk, "name": "new-volume", "storage_gb": "10", "place": "1"}


def _order_state(c: Ctx):
    from mesocentre.resources.models import Order

    return Order.objects.filter(pk=c.obj.pk).values_list("state", "reason").first()


RESOURCE_PORTAL_CASES: list[Case] = [
    Case(
        "resources:resource_list",
        readers=AUTHENTICATED,
        shows=lambda w, role: [w.A.resource.name] if role in OF_A else [],
    ),
    Case(
        "resources:resource_detail",
        readers=OF_A,
        target=of("resource"),
        shows=lambda w, role: [w.A.resource.name],
    ),
    Case(
        "resources:resource_change",
        readers=OF_A,
        target=of("resource"),
        writes={
            "POST": Write(
                OF_A, lambda c: {"plan": c.w.storage_plan.pk, "storage_gb": "300"}, state=_free(_orders_of_resource)
            )
        },
        why="who orders for the project changes its resources: its members, its establishment's managers, operators",
    ),
    Case(
        "resources:resource_terminate",
        readers=NOBODY,
        target=of("resource"),
        writes={"POST": Write(OF_A, state=_free(_orders_of_resource))},
    ),
    Case(
        "resources:order_list",
        readers=AUTHENTICATED,
        shows=lambda w, role: [w.A.project.code] if role in OF_A else [],
    ),
    Case(
        "resources:order_new",
        readers=AUTHENTICATED,
        writes={"POST": Write(OF_A, _new_order, state=_priced(_order_count))},
        why="a new order names its project: one the caller orders for, or the form refuses it (400)",
    ),
    Case(
        "resources:order_detail",
        readers=OF_A,
        target=of("order"),
        shows=lambda w, role: [w.A.project.code],
    ),
    Case(
        "resources:order_approve",
        readers=NOBODY,
        target=of("order"),
        writes={"POST": Write(APPROVERS_A, state=_order_state)},
        why="the order awaits the project: its PI or its establishment's manager, not the operators",
    ),
    Case(
        "resources:order_reject",
        readers=NOBODY,
        target=of("order"),
        writes={"POST": Write(APPROVERS_A, lambda c: {"reason": "no"}, state=_order_state)},
    ),
    Case(
        "resources:order_cancel",
        readers=NOBODY,
        target=of("order"),
        writes={"POST": Write(APPROVERS_A, lambda c: {"reason": "no"}, state=_order_state)},
        why="its author (the student), the project's PI or manager, its establishment's manager, or the team",
    ),
    Case(
        "resources:order_retry",
        readers=NOBODY,
        target=of("order"),
        writes={"POST": Write(NOBODY, state=_order_state)},
        why="only the offering's team retries, an erred order: nobody of the world is in the cloud team",
    ),
]
