"""The queue's Prometheus metrics: gauges read from the database at scrape time, and the worker's own counters.

Two kinds, because they live in different places:

- ``QueueCollector`` (``mesocentre_operations``, ``mesocentre_oldest_pending_operation_age_seconds``,
  ``mesocentre_notifications_waiting``) reads the queue table when Prometheus scrapes, in two queries whatever the
  queue holds. The database is the one truth every process shares, so these are right whichever process answers:
  the portal's ``/metrics`` exports them (a worker's ``--metrics-port`` leaves them out, see ``unregister``).
- The counters and the histogram are per process, as Prometheus expects of a worker: each worker counts what it
  applied. They move in the worker process, so only the worker's own HTTP server
  (``mesocentre worker --metrics-port``) shows them; the portal's ``/metrics`` shows its own zeros.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

APPLIED = Counter(
    "mesocentre_operations_applied_total",
    "Operations a backend applied (done, or handed to an operator), counted by this worker.",
    ["backend"],
)
FAILED = Counter(
    "mesocentre_operations_failed_total",
    "Attempts that failed, counted by this worker; outcome: retry (pending again, after a backoff) or failed (for "
    "good).",
    ["backend", "outcome"],
)
LEASES_LOST = Counter(
    "mesocentre_operations_leases_lost_total",
    "Attempts abandoned because another worker took the operation over (this one could not renew its lease).",
    ["backend"],
)
# From a few milliseconds (an e-mail to a local relay) to minutes (a Slurm account of many users, a manual hand-over
# is instant); past the lease the attempt is taken over anyway.
APPLY_SECONDS = Histogram(
    "mesocentre_backend_apply_seconds",
    "Time a backend's driver took to apply an operation (successful or not), in this worker.",
    ["backend"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, float("inf")),
)


class QueueCollector:
    """The queue as the database holds it now: operations per (state, backend), how long the oldest pending one of
    each backend has waited since it was queued, and how many e-mails are still to go out.

    Every registered backend is reported, with zeros when it has nothing, so that an alert on a series never sees
    it vanish; a backend found only in the table (a driver since removed) is reported too."""

    def describe(self):
        # Without it, registering the collector would call collect(), hence the database, at start-up.
        return list(self._families())

    def _families(self):
        return (
            GaugeMetricFamily(
                "mesocentre_operations", "Operations in the queue, by state and backend.", labels=["state", "backend"]
            ),
            GaugeMetricFamily(
                "mesocentre_oldest_pending_operation_age_seconds",
                "Seconds since the oldest pending operation of the backend was queued (0: none pending).",
                labels=["backend"],
            ),
            GaugeMetricFamily(
                "mesocentre_notifications_waiting",
                "E-mail messages queued and not yet accepted by the mail server (mail operations pending or running).",
            ),
            GaugeMetricFamily(
                "mesocentre_queue_metrics_up", "1 if the queue's gauges could be read from the database, else 0."
            ),
        )

    def collect(self):
        from mesocentre.provisioning.drivers import registered_backends
        from mesocentre.provisioning.drivers.mail import MailDriver
        from mesocentre.provisioning.models import Operation

        State = Operation.State
        operations, oldest, waiting, up = self._families()
        try:
            counts = {
                (row["state"], row["backend"]): row["n"]
                for row in Operation.objects.order_by().values("state", "backend").annotate(n=Count("pk"))
            }
            queued = dict(
                Operation.objects.filter(state=State.PENDING)
                .order_by()
                .values("backend")
                .annotate(at=Min("created"))
                .values_list("backend", "at")
            )
        except DatabaseError as exc:  # the portal's own metrics must still be scraped while the database is away
            log.warning("The queue's metrics could not be read: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        now = timezone.now()
        backends = sorted(set(registered_backends()) | {backend for _state, backend in counts})
        for backend in backends:
            for state in State.values:
                operations.add_metric([state, backend], counts.get((state, backend), 0))
            at = queued.get(backend)
            oldest.add_metric([backend], max((now - at).total_seconds(), 0.0) if at else 0.0)
        waiting.add_metric([], sum(counts.get((state, MailDriver.name), 0) for state in (State.PENDING, State.RUNNING)))
        up.add_metric([], 1)
        yield from (operations, oldest, waiting, up)


_collector: QueueCollector | None = None


def register() -> None:
    """Register the queue's gauges with the default registry, once per process (ProvisioningConfig.ready)."""
    global _collector
    if _collector is None:
        _collector = QueueCollector()
        REGISTRY.register(_collector)


def unregister() -> None:
    """Leave the queue's gauges out of this process's metrics: a worker's ``--metrics-port`` exports its counters
    only. The gauges are the database's, the same from every process: each worker exporting them too would count
    every operation once per worker, and query the database from the metrics server's threads."""
    global _collector
    if _collector is not None:
        REGISTRY.unregister(_collector)
        _collector = None
