"""The interface every provisioning backend implements, and the registry that maps backend names to drivers.

A driver makes a backend (Slurm, the cloud, a person) match an operation's absolute target. ``apply`` must
converge: it may run twice for one operation (a worker killed after the backend changed but before the queue
recorded it), so it compares and sets, it never increments.

A driver names the resource types it makes real in ``handles`` (type → method, ``{"account": "apply_account"}``);
``apply`` dispatches on the operation's type and fails any other for good (``PermanentError``, naming the types it
knows). What the method returns (``backend_id``, ``address``, ``host``, ``notes``…) is the operation's result, and
what the outcome handlers of the apps above are told in the transaction that ends it (``outcomes.py``).

Drivers register with ``@register``. The built-in ones are imported by ``load_drivers()`` at start-up; more
modules (a site's own drivers, the test drivers) are listed, comma-separated, in the environment variable
``MESOCENTRE_EXTRA_DRIVERS`` and imported too, so that every process (web, worker) knows the same backends.

While ``apply`` runs, the worker renews its lease on the operation in the background. A driver that makes several
backend calls calls ``checkpoint()`` before each one: it raises ``LeaseLost`` once another worker has taken the
operation over (or the lease could not be renewed), so that two workers never change the backend at once. Drivers
that make a single call, or hand the work to a person, may ignore it: the outcome is recorded only by the holder.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from mesocentre.provisioning.models import Operation

BUILTIN_DRIVER_MODULES = [
    "mesocentre.provisioning.drivers.mail",
    "mesocentre.provisioning.drivers.manual",
    "mesocentre.provisioning.drivers.slurm",
]
EXTRA_DRIVERS_ENV = "MESOCENTRE_EXTRA_DRIVERS"


class DriverError(Exception):
    """The backend refused or failed; the message is the backend's own error text, shown to operators."""


class PermanentError(DriverError):
    """Retrying cannot help (an invalid target): the operation fails at once instead of backing off."""


class NotReady(DriverError):
    """The backend cannot act at all yet (no cluster configured): the operation waits, its attempts untouched,
    and is looked at again after ``NOT_READY_DELAY``; it never fails for want of configuration."""


class LeaseLost(Exception):
    """The worker no longer holds the operation it is applying: another worker took it over after its lease
    expired, or the lease could not be renewed in time. Raised by ``checkpoint()`` before a backend call; drivers
    let it through, and the worker records nothing for this attempt (its successor's outcome is the one that counts).
    """


# The check of the lease of the operation being applied in this thread (set by the worker around ``apply``).
_lease_check: ContextVar[Callable[[], None] | None] = ContextVar("mesocentre_lease_check", default=None)


def checkpoint() -> None:
    """Raise ``LeaseLost`` if the operation being applied is no longer this worker's; call before each backend call.

    Outside a worker's ``apply`` (the command line, reconciliation, the benchmark) there is no lease: a no-op.
    """
    check = _lease_check.get()
    if check is not None:
        check()


@contextmanager
def checked_by(check: Callable[[], None]) -> Iterator[None]:
    """``checkpoint()`` calls ``check`` inside this block (the worker wraps ``apply`` in it)."""
    token = _lease_check.set(check)
    try:
        yield
    finally:
        _lease_check.reset(token)


class Deferred(Exception):
    """``apply`` handed the work to someone else (an operator); the operation waits for them to complete it."""

    def __init__(self, result: dict | None = None):
        super().__init__("deferred")
        self.result = result or {}


@dataclass
class DriftItem:
    """One difference between what the database wants and what the backend has."""

    resource_type: str
    resource_key: str
    desired: dict | None
    actual: dict | None
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Driver(ABC):
    name: str = ""
    # How long an operation of this backend stays claimed after the worker last renewed its lease: the delay before
    # a dead worker's operation is taken over. A live worker renews it every third of it while ``apply`` runs, so it
    # need only exceed one backend call (the longest gap between two ``checkpoint()`` calls), not a whole apply.
    lease_seconds: int = 300

    # The resource types this backend makes real, each with the name of its method (``apply_account(operation)``):
    # ``apply`` dispatches on the operation's type, and refuses any other for good.
    handles: ClassVar[Mapping[str, str]] = {}

    def apply(self, operation: Operation) -> dict:
        """Make the backend match ``operation.target``; return what it did (stored as the result, and told to the
        outcome handlers: ``backend_id``, ``address``, ``host``, ``notes``… as the backend knows them).

        Dispatches to the method ``handles`` names for the operation's resource type (a driver for a single type may
        override ``apply`` instead). Raise ``DriverError`` (retried with backoff), ``PermanentError`` (failed at
        once) or ``Deferred``.
        """
        method = self.handles.get(operation.resource_type)
        if method is None:
            known = ", ".join(repr(name) for name in sorted(self.handles)) or "none"
            raise PermanentError(
                f"The {self.name} backend does not handle resources of type {operation.resource_type!r} "
                f"(it handles: {known})."
            )
        return getattr(self, method)(operation)

    @abstractmethod
    def read_actual(self, resource_type: str, key: str) -> dict | None:
        """The resource as the backend has it now, in the shape of a target; None if it does not exist."""

    @abstractmethod
    def reconcile(self) -> list[DriftItem]:
        """Every resource whose actual state differs from the newest target in the database."""


_registry: dict[str, type[Driver]] = {}


def last_applied_target(backend: str, resource_type: str, key: str) -> dict | None:
    """The target of the newest operation of this resource marked done: what a backend that cannot be read back
    (a person's hands, a mail server) last took."""
    from mesocentre.provisioning.models import Operation

    done = Operation.objects.for_resource(backend, resource_type, key).filter(state=Operation.State.DONE)
    last = done.order_by("-pk").first()
    return last.target if last else None


def register(cls: type[Driver]) -> type[Driver]:
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} has no backend name.")
    existing = _registry.get(cls.name)
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise ValueError(f"Backend {cls.name!r} is already registered to {existing.__qualname__}.")
    _registry[cls.name] = cls
    return cls


def load_drivers() -> None:
    extra = [m.strip() for m in os.environ.get(EXTRA_DRIVERS_ENV, "").split(",") if m.strip()]
    for module in BUILTIN_DRIVER_MODULES + extra:
        import_module(module)


def registered_backends() -> list[str]:
    return sorted(_registry)


def get_driver(backend: str) -> Driver:
    try:
        return _registry[backend]()
    except KeyError:
        raise LookupError(f"No provisioning driver is registered for backend {backend!r}.") from None
