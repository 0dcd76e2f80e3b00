"""The queue's gauges on /metrics: read from the database at scrape time, in two queries however long the queue."""

import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from mesocentre.core.testing import WORLD_NOW
from mesocentre.provisioning import services
from mesocentre.provisioning.metrics import QueueCollector
from mesocentre.provisioning.models import Operation

State = Operation.State
pytestmark = pytest.mark.django_db


def queued(backend: str, key: str, state: str, age_seconds: float = 0, **target) -> Operation:
    with transaction.atomic():
        operation = services.enqueue(backend, "thing", key, target)
    fields = {"state": state, "created": WORLD_NOW - datetime.timedelta(seconds=age_seconds)}
    if state == State.RUNNING:
        fields.update(claimed_by="w", lease_expires_at=WORLD_NOW + datetime.timedelta(minutes=5), attempts=1)
    Operation.objects.filter(pk=operation.pk).update(**fields)
    return operation


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")  # the test client is on the loopback, which development lets in
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
        if sample.name.startswith("mesocentre_")
    }


def value(samples, name: str, **labels) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_the_exported_text_holds_the_queue_as_the_database_has_it(client):
    queued("test-recording", "a", State.PENDING, age_seconds=600)
    queued("test-recording", "b", State.PENDING, age_seconds=90)
    queued("test-recording", "c", State.FAILED, age_seconds=5000)
    queued("test-flaky", "d", State.RUNNING, age_seconds=7200)
    queued("mail", "m1", State.PENDING, age_seconds=30, to=["a@example.org"], subject="s", body="b")
    queued("mail", "m2", State.RUNNING, to=["b@example.org"], subject="s", body="b")
    queued("mail", "m3", State.DONE, to=["c@example.org"], subject="s", body="b")
    queued("mail", "m4", State.FAILED, to=["d@example.org"], subject="s", body="b")

    with time_machine.travel(WORLD_NOW, tick=False):
        samples = scrape(client)

    operations = "mesocentre_operations"
    assert value(samples, operations, state="pending", backend="test-recording") == 2
    assert value(samples, operations, state="failed", backend="test-recording") == 1
    assert value(samples, operations, state="running", backend="test-recording") == 0  # zeros, not missing
    assert value(samples, operations, state="running", backend="test-flaky") == 1
    assert value(samples, operations, state="done", backend="mail") == 1
    assert value(samples, operations, state="pending", backend="manual") == 0  # a backend with nothing queued
    oldest = "mesocentre_oldest_pending_operation_age_seconds"
    assert value(samples, oldest, backend="test-recording") == 600  # the failed one is not pending
    assert value(samples, oldest, backend="mail") == 30
    assert value(samples, oldest, backend="test-flaky") == 0  # running, nothing pending
    assert value(samples, "mesocentre_notifications_waiting") == 2  # the pending and the running message
    assert value(samples, "mesocentre_queue_metrics_up") == 1


def test_an_operation_of_a_backend_no_longer_registered_is_still_counted(client):
    queued("test-recording", "x", State.PENDING)
    Operation.objects.update(backend="retired")
    assert value(scrape(client), "mesocentre_operations", state="pending", backend="retired") == 1


def collect_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        families = list(QueueCollector().collect())
    assert {family.name for family in families} >= {"mesocentre_operations", "mesocentre_notifications_waiting"}
    return len(queries)


def test_the_collector_costs_the_same_queries_for_2_and_20_operations():
    for i in range(2):
        queued("test-recording", f"k{i}", State.PENDING, age_seconds=i)
    two = collect_queries()
    for i in range(2, 20):
        queued(["test-recording", "test-flaky", "mail"][i % 3], f"k{i}", [State.PENDING, State.DONE][i % 2])
    assert Operation.objects.count() == 20
    assert collect_queries() == two == 2


def test_a_database_failure_leaves_the_rest_of_the_metrics_scrapeable(client, monkeypatch):
    from django.db import DatabaseError

    def broken(*_args, **_kwargs):
        raise DatabaseError("the database is away")

    monkeypatch.setattr(Operation.objects, "order_by", broken)
    samples = scrape(client)
    assert value(samples, "mesocentre_queue_metrics_up") == 0
    assert not any(name == "mesocentre_operations" for name, _labels in samples)


def test_the_worker_command_leaves_the_queue_gauges_to_the_portal():
    from prometheus_client import REGISTRY

    from mesocentre.provisioning import metrics

    assert REGISTRY.get_sample_value("mesocentre_queue_metrics_up") == 1  # registered by ProvisioningConfig.ready
    try:
        metrics.unregister()
        assert REGISTRY.get_sample_value("mesocentre_queue_metrics_up") is None
    finally:
        metrics.register()
    metrics.register()  # once per process: a second call changes nothing (and does not raise)
    assert REGISTRY.get_sample_value("mesocentre_queue_metrics_up") == 1
