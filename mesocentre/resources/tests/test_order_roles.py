"""Every move of an order, from every state, by every role: allowed where the table below says, refused otherwise
(a ``PermissionDenied`` saying who may, or a ``ValidationError`` on ``state`` when the state allows no such move)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from mesocentre.resources import orders
from mesocentre.resources.models import Order

ROLES = ("author", "pi", "manager", "outsider", "team", "other_operator")
# (verb, state) → the roles that may; a state missing from a verb's rows refuses it to everyone.
ALLOWED = {
    ("approve", "pending_consumer"): {"pi", "manager"},
    ("approve", "pending_provider"): {"team"},
    ("reject", "pending_consumer"): {"pi", "manager", "team"},
    ("reject", "pending_provider"): {"team"},
    ("cancel", "pending_consumer"): {"author", "pi", "manager", "team"},
    ("cancel", "pending_provider"): {"author", "pi", "manager", "team"},
    ("cancel", "erred"): {"team"},
    ("retry", "erred"): {"team"},
}
STATES = ("pending_consumer", "pending_provider", "executing", "erred", "done", "rejected", "cancelled")


def act(verb, order, user):
    if verb in ("reject", "cancel"):
        return getattr(orders, verb)(order, user, "A reason.")
    return getattr(orders, verb)(order, user)


def test_each_move_by_each_role_from_each_state(shop):
    w = shop.w
    people = {
        "author": w.student,
        "pi": w.pi,
        "manager": w.manager,
        "outsider": w.outside,
        "team": w.operator,
        "other_operator": shop.other_operator,
    }
    seen = []
    for state in STATES:
        for verb in ("approve", "reject", "cancel", "retry"):
            for role in ROLES:
                with transaction.atomic():
                    reason = "Refused." if state in ("rejected", "cancelled") else ""
                    order = Order.objects.create(
                        project=w.project,
                        offering=shop.bronze.offering,
                        plan=shop.bronze,
                        type="create",
                        name="vm",
                        quantities={"vcpu": "2", "ram_gb": "4", "disk_gb": "50"},
                        state=state,
                        reason=reason,
                        created_by=w.student,
                    )
                    allowed = role in ALLOWED.get((verb, state), set())
                    try:
                        act(verb, order, people[role])
                        outcome = "done"
                    except PermissionDenied:
                        outcome = "forbidden"
                    except ValidationError as refusal:
                        assert "state" in refusal.message_dict, (verb, state, role, refusal)
                        outcome = "wrong state"
                    order.refresh_from_db()
                    seen.append((verb, state, role, outcome))
                    assert (outcome == "done") == allowed, (verb, state, role, outcome)
                    if outcome != "done":
                        assert order.state == state, "a refused move changes nothing"
                    transaction.set_rollback(True)
    # A move the state forbids is refused as such whoever asks; one it allows is refused to the wrong people.
    assert ("approve", "done", "team", "wrong state") in seen
    assert ("approve", "pending_provider", "pi", "forbidden") in seen
