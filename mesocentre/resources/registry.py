"""What the apps above resources plug into it, from their ``AppConfig.ready()``.

- The **estimator** (billing): the calculator's price of an order for a quarter and a year, so that an order carries
  the very figures the calculator shows, computed by the same code (billing is above resources and owns it).
- The **executors** (hpc): an offering kind whose orders are carried out by its own app rather than by queueing the
  resource's target to the offering's backend: HPC hours ordered outside the calls become an allocation, pushed to
  Slurm by the path the committee's decisions take.

Both are called inside the transaction of the order's change, so what they write commits with it or not at all.

- The **power meter** (metering's readings, registered by an app above metering): the measured kWh of each hosted
  rack over a period, for the racks' power against their budget (``rack_power``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mesocentre.provisioning.models import Operation
    from mesocentre.resources.order_models import Order

Estimator = Callable[["Order"], dict[str, Any]]
# An executor starts an order's work and returns the operation whose end ends the order (None: done at once).
Executor = Callable[["Order"], "Operation | None"]

# A withdrawal undoes what an executor did for a create order that erred and is then cancelled (the allocation it
# granted before its Slurm target failed): the resource is terminated, so nothing of it may stay in the backend.
Withdrawal = Callable[["Order"], Any]

_estimator: list[Estimator] = []
_executors: dict[str, Executor] = {}
_withdrawals: dict[str, Withdrawal] = {}
# A lock takes the kind's own rows (an HPC allocation) before the order touches its resource, so that the kind's
# paths, which lock those rows first and the resource after, never wait on the order the other way round.
_locks: dict[str, Callable[[Order], Any]] = {}


def set_estimator(estimator: Estimator) -> None:
    _estimator[:] = [estimator]


def estimate(order: Order) -> dict[str, Any]:
    """The estimate of ``order`` (raises ``ValidationError`` naming the field when the calculator cannot sell it)."""
    return _estimator[0](order) if _estimator else {}


def register_executor(
    kind: str,
    executor: Executor,
    withdrawal: Withdrawal | None = None,
    lock: Callable[[Order], Any] | None = None,
) -> None:
    _executors[kind] = executor
    if withdrawal is not None:
        _withdrawals[kind] = withdrawal
    if lock is not None:
        _locks[kind] = lock


def lock_for(order: Order) -> None:
    """Take the kind's own locks for ``order``, if its executor declared any."""
    lock = _locks.get(order.offering.kind)
    if lock is not None:
        lock(order)


def withdrawal_for(kind: str) -> Withdrawal | None:
    return _withdrawals.get(kind)


def executor_for(kind: str) -> Executor | None:
    return _executors.get(kind)


# The meter: (first day, last day, both included) → {rack id: (kWh of its readings inside the period, hours read)}.
PowerMeter = Callable[[Any, Any], dict[int, tuple[Any, int]]]
_power_meter: list[PowerMeter] = []


def set_power_meter(meter: PowerMeter) -> None:
    _power_meter[:] = [meter]


def measured_energy(start, end) -> dict[int, tuple[Any, int]]:
    """Each rack's measured kWh and hours read between ``start`` and ``end``; nothing when no meter is registered."""
    return _power_meter[0](start, end) if _power_meter else {}
