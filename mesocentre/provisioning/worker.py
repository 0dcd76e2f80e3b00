"""The worker loop: claim, apply, record, repeat. The `mesocentre worker` command only parses its options."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import DatabaseError, close_old_connections, connection

from mesocentre.core.actor import acting_as
from mesocentre.provisioning import services
from mesocentre.provisioning.metrics import APPLIED, FAILED, LEASES_LOST
from mesocentre.provisioning.models import Operation

log = logging.getLogger(__name__)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    # How long an operation whose backend is not configured is left alone before this worker looks again; a new
    # worker (started with the configuration) takes it at once, whatever this one remembers.
    NOT_READY_PAUSE = 60.0

    def __init__(self, worker_id: str | None = None, *, poll_interval: float = 2.0, once: bool = False):
        self.worker_id = worker_id or default_worker_id()
        self.poll_interval = poll_interval
        self.once = once
        self.stopping = threading.Event()
        self.processed = 0
        self.not_ready: dict[int, float] = {}  # operation id → when this worker found its backend not configured

    def stop(self, *_args) -> None:
        """Signal handler: finish the operation in hand, then leave."""
        self.stopping.set()

    def run(self) -> int:
        with acting_as(None, f"worker {self.worker_id}"):
            while not self.stopping.is_set():
                if not connection.in_atomic_block:  # (inside one only in tests, where closing would break it)
                    # Honours CONN_MAX_AGE and drops broken connections: the worker outlives database restarts.
                    close_old_connections()
                try:
                    if not self._step():
                        if self.once:
                            break
                        self.stopping.wait(self.poll_interval)
                except DatabaseError:
                    # An operation caught half-way stays leased; it is taken over when its lease expires.
                    if self.once:
                        raise
                    log.exception("Worker %s lost the database; waiting.", self.worker_id)
                    self.stopping.wait(self.poll_interval)
        return self.processed

    def _step(self) -> bool:
        """Claim and apply one operation; False when none is due."""
        now = time.monotonic()
        self.not_ready = {pk: at for pk, at in self.not_ready.items() if self.once or now - at < self.NOT_READY_PAUSE}
        operation = services.claim_next(self.worker_id, exclude=self.not_ready)
        if operation is None:
            return False
        self._apply(operation)
        return True

    def _apply(self, operation: Operation) -> None:
        # The driver's time is measured around its apply (execution.run_operation); the outcome is counted here.
        outcome = services.run_operation(operation, self.worker_id)
        if getattr(outcome, "not_ready", False):
            self.not_ready[outcome.pk] = time.monotonic()
            return
        self.processed += 1
        # Counters of this process: Prometheus scrapes each worker's --metrics-port for them (see metrics.py).
        if getattr(outcome, "lease_lost", False):
            LEASES_LOST.labels(operation.backend).inc()
        elif outcome.state in (Operation.State.DONE, Operation.State.WAITING):
            APPLIED.labels(operation.backend).inc()
        elif outcome.state in (Operation.State.PENDING, Operation.State.FAILED):
            FAILED.labels(operation.backend, "retry" if outcome.state == Operation.State.PENDING else "failed").inc()
        log.info("Worker %s: %s", self.worker_id, outcome)
