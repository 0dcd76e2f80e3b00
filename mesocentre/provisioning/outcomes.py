"""What a backend did, told to the apps above provisioning in the transaction that records an operation's end.

Provisioning sits below the apps that own orders and resources, so it never imports them: they subscribe here from
their ``AppConfig.ready()``::

    register_outcome("manual", None, orders.record_outcome)   # every resource type of the manual backend
    register_outcome(None, "cloud-vm", vms.record_outcome)     # VMs, whichever backend made them

A handler is called as ``handler(operation, outcome)`` exactly once per end of an operation: when it is done, or when
it failed for good (a permanent error, its attempts used up, an operator marking its manual task failed). Never for
an attempt that will be retried, nor for an operation cancelled or superseded (its successor's end is the one that
counts), nor for an attempt whose worker died: the call is inside the same database transaction as the UPDATE that
ends the operation (see ``execution.end_operation``), so the handler's writes (the resource's identifier and
address, the order's state, the resource's first period) commit with that end or not at all.

If a handler raises, the end rolls back with everything the handlers wrote, and the operation is not ended:
- ending done (the worker): the attempt counts as a failed apply, retried with backoff, and failed for good (the
  handlers then told so) once its attempts are used up; the backend's work is applied again, which converges;
- ending failed (the worker): back in the queue with its attempt given back, retried with backoff, so that it never
  ends without its outcome (its error says why it is still there);
- an operator completing a manual task: refused, the task stays open, with the handler's message (a handler raises
  ``ValidationError`` to refuse with a message naming the field, ``backend_id`` for instance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mesocentre.provisioning.models import Operation

DONE = "done"
FAILED = "failed"  # the operation's own state; "erred" in Waldur's words


@dataclass(frozen=True)
class Outcome:
    """The end of one operation: ``state`` (``"done"`` or ``"failed"``, as ``Operation.State``), what the driver
    returned (``result``: ``backend_id``, ``address``, ``host``, ``notes``… whatever it did) and, when it failed,
    the error text operators see."""

    state: str
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def done(self) -> bool:
        return self.state == DONE

    @property
    def erred(self) -> bool:
        return self.state == FAILED

    def text(self, key: str) -> str:
        """One of the result's values as text ('' when the driver did not say)."""
        value = self.result.get(key)
        return "" if value is None else str(value)

    @property
    def backend_id(self) -> str:
        return self.text("backend_id")

    @property
    def address(self) -> str:
        return self.text("address")

    @property
    def host(self) -> str:
        return self.text("host")

    @property
    def notes(self) -> str:
        return self.text("notes")


Handler = Callable[["Operation", Outcome], Any]
_handlers: list[tuple[str | None, str | None, Handler]] = []


def register_outcome(backend: str | None, resource_type: str | None, handler: Handler) -> None:
    """Call ``handler(operation, outcome)`` at the end of every operation of ``backend`` and ``resource_type``
    (None: any); once per end however often this is called (``ready()`` may run twice)."""
    entry = (backend, resource_type, handler)
    if entry not in _handlers:
        _handlers.append(entry)


def unregister_outcome(backend: str | None, resource_type: str | None, handler: Handler) -> None:
    entry = (backend, resource_type, handler)
    if entry in _handlers:
        _handlers.remove(entry)


def handlers_for(backend: str, resource_type: str) -> list[Handler]:
    return [
        handler
        for wanted_backend, wanted_type, handler in _handlers
        if wanted_backend in (None, backend) and wanted_type in (None, resource_type)
    ]


def notify(operation: Operation, outcome: Outcome) -> None:
    """Call the handlers of this operation's backend and resource type, in the order they registered; the caller is
    inside the transaction that ends the operation, and lets a handler's exception roll it back."""
    for handler in handlers_for(operation.backend, operation.resource_type):
        handler(operation, outcome)
