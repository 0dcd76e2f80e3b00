"""The shape of the permission test's table: a ``Case`` per URL name, its ``Write``s, and the helpers that build
them (see scoping_cases.py)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from scoping_world import OF_A, OPERATOR, all_ids


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


def of(attr: str):
    return lambda w, t: getattr(getattr(w, t), attr)


def by_code(o) -> dict:
    return {"code": o.code}
