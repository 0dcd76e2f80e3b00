"""mesocentre worker: apply the operation queue to the backends."""

import signal

from django.core.management.base import BaseCommand
from prometheus_client import start_http_server

from mesocentre.provisioning import metrics
from mesocentre.provisioning.worker import Worker, default_worker_id


class Command(BaseCommand):
    help = "Claim and apply provisioning operations until stopped (SIGTERM finishes the current one first)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Apply every operation now due, then exit.")
        parser.add_argument("--worker-id", default=None, help="Name in the queue (default: host:pid).")
        parser.add_argument("--poll-interval", type=float, default=2.0, help="Seconds between polls of an empty queue.")
        parser.add_argument("--metrics-port", type=int, default=None, help="Serve Prometheus metrics on this port.")
        parser.add_argument("--metrics-addr", default="127.0.0.1", help="Address of the metrics server.")

    def handle(self, *args, **options):
        worker = Worker(
            options["worker_id"] or default_worker_id(), poll_interval=options["poll_interval"], once=options["once"]
        )
        if options["metrics_port"] is not None:
            # This worker's counters and apply times; the queue's gauges are the portal's /metrics (the same
            # database from every process: one exporter of them is enough).
            metrics.unregister()
            start_http_server(options["metrics_port"], addr=options["metrics_addr"])
        signal.signal(signal.SIGTERM, worker.stop)
        signal.signal(signal.SIGINT, worker.stop)
        processed = worker.run()
        self.stdout.write(f"Worker {worker.worker_id}: {processed} operation(s) processed.")
