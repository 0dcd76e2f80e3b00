"""Real worker processes against the real database: no double application, nothing lost to SIGKILL or SIGTERM."""

import collections
import datetime
import signal
import time

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from prometheus_client import REGISTRY

from mesocentre.provisioning import services
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.tests.conftest import start_worker, worker_env
from mesocentre.provisioning.tests.drivers import BLOCK_ENV, GATE_ENV, LOG_ENV, STEPS_LEASE_ENV, read_log
from mesocentre.provisioning.worker import Worker

State = Operation.State


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


def finish(process, timeout: float = 60.0) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


def other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_workers_apply_every_operation_exactly_once(driver_log):
    # Both workers are polling (persistent connections prove it) before the 50 operations appear at once.
    env = worker_env(**{LOG_ENV: str(driver_log), "MESOCENTRE_DB_CONN_MAX_AGE": "600"})
    workers = [start_worker(name, "--poll-interval", "0.05", env=env) for name in ("w1", "w2")]
    wait_for(lambda: other_connections() >= 2)
    with transaction.atomic():
        ops = [services.enqueue("test-recording", "thing", f"r{i}", {"i": i, "sleep": 0.02}) for i in range(50)]
    wait_for(lambda: not Operation.objects.exclude(state=State.DONE).exists())
    for process in workers:
        process.send_signal(signal.SIGTERM)
        finish(process)

    applications = collections.Counter(pk for pk, event, _ in read_log(driver_log) if event == "applied")
    assert applications == {op.pk: 1 for op in ops}
    assert set(Operation.objects.values_list("state", "attempts")) == {(State.DONE, 1)}
    by_worker = collections.Counter(Operation.objects.values_list("claimed_by", flat=True))
    assert set(by_worker) == {"w1", "w2"}, by_worker  # they really ran side by side
    assert services.queue_depth() == 0


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_slower_than_its_lease_is_not_overtaken(driver_log):
    # Four backend calls of 1.25 s under a 3 s lease: without renewal the second worker would take the operation
    # over half-way and both would change the backend.
    env = worker_env(**{LOG_ENV: str(driver_log), STEPS_LEASE_ENV: "3", "MESOCENTRE_DB_CONN_MAX_AGE": "600"})
    workers = [start_worker(name, "--poll-interval", "0.05", env=env) for name in ("w1", "w2")]
    try:
        wait_for(lambda: other_connections() >= 2)  # both are polling before the operation appears
        with transaction.atomic():
            operation = services.enqueue("test-steps", "thing", "slow", {"steps": 4, "sleep": 1.25})
        wait_for(lambda: Operation.objects.get(pk=operation.pk).state == State.DONE)
    finally:  # stopped even when the test fails, or they would hold the test database
        for process in workers:
            process.send_signal(signal.SIGTERM)
    for process in workers:
        finish(process)

    operation.refresh_from_db()
    assert (operation.state, operation.attempts, operation.last_error) == (State.DONE, 1, "")
    calls = read_log(driver_log)
    assert calls == [(operation.pk, f"step{i}", operation.claimed_by) for i in range(4)]  # each call once, one worker


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_operation_was_taken_over_stops_before_its_next_backend_call(driver_log, tmp_path):
    gate = tmp_path / "gate"
    env = worker_env(**{LOG_ENV: str(driver_log), GATE_ENV: str(gate)})
    with transaction.atomic():
        operation = services.enqueue("test-steps", "thing", "stolen", {"steps": 3, "gate_after": 0})
    worker = start_worker("w1", "--once", env=env)
    wait_for(lambda: read_log(driver_log))  # the first backend call is made; the driver waits at the gate
    # What a second worker's takeover does to the row (as if w1's lease had expired); it keeps its lease for now.
    Operation.objects.filter(pk=operation.pk).update(
        claimed_by="w2", attempts=F("attempts") + 1, lease_expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    gate.touch()
    assert "1 operation(s) processed" in finish(worker)

    assert read_log(driver_log) == [(operation.pk, "step0", "w1")]  # no call after the takeover
    operation.refresh_from_db()
    assert (operation.state, operation.claimed_by, operation.attempts) == (State.RUNNING, "w2", 2)
    assert operation.last_error == "" and operation.result is None  # w1 recorded nothing over w2's attempt


@pytest.mark.django_db(transaction=True)
def test_once_drains_what_is_due_and_exits(driver_log):
    with transaction.atomic():
        ops = [services.enqueue("test-recording", "thing", f"r{i}", {"i": i}) for i in range(5)]
        later = services.enqueue("test-recording", "thing", "later", {})
        Operation.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(hours=1))
    env = worker_env(**{LOG_ENV: str(driver_log)})
    assert "5 operation(s) processed" in finish(start_worker("w", "--once", env=env))
    assert sorted(pk for pk, _, _ in read_log(driver_log)) == [op.pk for op in ops]
    later.refresh_from_db()
    assert later.state == State.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing(driver_log):
    with transaction.atomic():
        blocked = services.enqueue("test-blocking", "thing", "victim", {"size": 3})
    env = worker_env(**{LOG_ENV: str(driver_log)})
    doomed = start_worker("doomed", "--once", env={**env, BLOCK_ENV: "3600"})
    wait_for(lambda: any(event == "started" for _, event, _ in read_log(driver_log)))
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    blocked.refresh_from_db()
    assert blocked.state == State.RUNNING and blocked.claimed_by == "doomed"
    finish(start_worker("early", "--once", env=env))  # the lease still runs: nobody else may take it yet
    blocked.refresh_from_db()
    assert blocked.claimed_by == "doomed"

    time.sleep(max(0.0, (blocked.lease_expires_at - timezone.now()).total_seconds()) + 0.2)
    finish(start_worker("rescuer", "--once", env=env))
    blocked.refresh_from_db()
    assert blocked.state == State.DONE and blocked.claimed_by == "rescuer" and blocked.attempts == 2
    assert blocked.result == {"applied": {"size": 3}}
    assert [(event, worker) for _, event, worker in read_log(driver_log)] == [
        ("started", "doomed"),
        ("started", "rescuer"),
        ("applied", "rescuer"),
    ]


@pytest.mark.django_db(transaction=True)
def test_sigterm_finishes_the_current_operation_then_exits(driver_log):
    with transaction.atomic():
        first = services.enqueue("test-blocking", "thing", "a", {})
        second = services.enqueue("test-recording", "thing", "b", {})
    env = worker_env(**{LOG_ENV: str(driver_log), BLOCK_ENV: "1.5"})
    worker = start_worker("polite", "--poll-interval", "0.2", env=env)
    wait_for(lambda: any(event == "started" for _, event, _ in read_log(driver_log)))
    worker.send_signal(signal.SIGTERM)
    out = finish(worker, timeout=20)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.DONE and "1 operation(s) processed" in out
    assert second.state == State.PENDING  # left for the next worker, not started half-way


def metric(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_worker_counts_applied_and_failed_operations(db, flaky, driver_log):
    def counts():
        return (
            metric("mesocentre_operations_applied_total", backend="test-recording"),
            metric("mesocentre_operations_failed_total", backend="test-flaky", outcome="retry"),
            metric("mesocentre_operations_failed_total", backend="test-flaky", outcome="failed"),
            metric("mesocentre_backend_apply_seconds_count", backend="test-recording"),
            metric("mesocentre_backend_apply_seconds_count", backend="test-flaky"),
            metric("mesocentre_backend_apply_seconds_sum", backend="test-recording"),
        )

    before = counts()
    with transaction.atomic():
        services.enqueue("test-recording", "thing", "ok", {"sleep": 0.05})
        services.enqueue("test-flaky", "thing", "ko", {"error": "down"})
        services.enqueue("test-flaky", "thing", "gone", {"error": "no such QOS", "permanent": True})
    assert Worker("w", once=True).run() == 3
    after = counts()
    assert [a - b for a, b in zip(after[:5], before[:5], strict=True)] == [1, 1, 1, 1, 2]
    assert after[5] - before[5] >= 0.05  # the driver's own time, its sleep included


@pytest.mark.django_db(transaction=True)
def test_a_worker_serves_its_own_counters_on_its_metrics_port_and_leaves_the_queue_gauges_out(driver_log):
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with transaction.atomic():
        services.enqueue("test-recording", "thing", "counted", {})
    worker = start_worker("wm", "--poll-interval", "0.05", "--metrics-port", str(port), env=worker_env())
    try:
        wait_for(lambda: not Operation.objects.exclude(state=State.DONE).exists())

        def scraped() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                return response.read().decode()

        text = ""

        def served() -> bool:
            nonlocal text
            try:
                text = scraped()
            except OSError:
                return False
            return 'mesocentre_operations_applied_total{backend="test-recording"} 1.0' in text

        wait_for(served)
    finally:
        worker.send_signal(signal.SIGTERM)
    finish(worker)
    assert 'mesocentre_backend_apply_seconds_count{backend="test-recording"} 1.0' in text
    assert "mesocentre_operations{" not in text and "mesocentre_notifications_waiting" not in text
