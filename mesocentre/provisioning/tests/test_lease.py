"""The lease a worker holds while its driver applies: renewed while it is ours, refused once it is not, and the
Slurm client's calls stopped by it. The heartbeat thread itself runs in real workers (test_workers.py)."""

import datetime
import subprocess

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from prometheus_client import REGISTRY

from mesocentre.provisioning import services
from mesocentre.provisioning.drivers import LeaseLost, checked_by, checkpoint
from mesocentre.provisioning.execution import Lease
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.slurm.client import SlurmClient
from mesocentre.provisioning.slurm.converge import AccountTarget, converge
from mesocentre.provisioning.worker import Worker

State = Operation.State


def claimed(worker_id: str = "w1") -> Operation:
    with transaction.atomic():
        services.enqueue("test-steps", "thing", "r1", {"steps": 1})
    operation = services.claim_next(worker_id)
    # A whole lease of the length these tests give Lease(), however long the test takes to get there.
    Operation.objects.filter(pk=operation.pk).update(lease_expires_at=timezone.now() + datetime.timedelta(seconds=600))
    operation.refresh_from_db()
    return operation


def take_over(operation: Operation, worker_id: str = "thief") -> None:
    """What claim_next does to an expired lease, done directly."""
    Operation.objects.filter(pk=operation.pk).update(
        claimed_by=worker_id,
        attempts=F("attempts") + 1,
        lease_expires_at=timezone.now() + datetime.timedelta(hours=1),
    )


@pytest.mark.django_db(transaction=True)
def test_renewal_extends_the_claim_while_it_is_ours():
    operation = claimed()
    Operation.objects.filter(pk=operation.pk).update(lease_expires_at=timezone.now() + datetime.timedelta(seconds=5))
    lease = Lease(operation, "w1", 600)
    assert lease.renew()
    operation.refresh_from_db()
    assert operation.lease_expires_at > timezone.now() + datetime.timedelta(seconds=500)
    assert (operation.state, operation.claimed_by, operation.attempts) == (State.RUNNING, "w1", 1)
    lease.check()  # ours: the next backend call may go ahead


@pytest.mark.django_db(transaction=True)
def test_renewal_after_a_takeover_fails_and_touches_nothing():
    operation = claimed()
    lease = Lease(operation, "w1", 600)
    take_over(operation)
    before = Operation.objects.get(pk=operation.pk)
    assert not lease.renew()
    assert lease.lost
    after = Operation.objects.get(pk=operation.pk)
    assert (after.claimed_by, after.attempts, after.lease_expires_at) == ("thief", 2, before.lease_expires_at)
    with pytest.raises(LeaseLost, match="no longer holds attempt 1"):
        lease.check()


@pytest.mark.django_db(transaction=True)
def test_check_reads_the_claim_before_the_heartbeat_notices_a_takeover():
    operation = claimed()
    lease = Lease(operation, "w1", 600)
    take_over(operation)
    with pytest.raises(LeaseLost):
        lease.check()
    assert lease.lost


@pytest.mark.django_db(transaction=True)
def test_a_lease_not_renewed_in_time_stops_backend_calls_though_nobody_took_over():
    operation = claimed()
    # Only a fifth of the lease left (as after failed renewals): one more backend call could outlive it.
    Operation.objects.filter(pk=operation.pk).update(lease_expires_at=timezone.now() + datetime.timedelta(seconds=2))
    operation.refresh_from_db()
    lease = Lease(operation, "w1", 10)
    with pytest.raises(LeaseLost, match="could not renew"):
        lease.check()
    assert lease.renew()  # a renewal that gets through restores it
    lease.check()


@pytest.mark.django_db(transaction=True)
def test_a_lost_attempt_records_nothing(driver_log):
    operation = claimed()
    take_over(operation)
    before = Operation.objects.get(pk=operation.pk)
    outcome = services.run_operation(operation, "w1")
    assert outcome.lease_lost
    after = Operation.objects.get(pk=operation.pk)
    assert (after.state, after.claimed_by, after.attempts, after.last_error, after.result) == (
        State.RUNNING,
        "thief",
        2,
        before.last_error,
        before.result,
    )
    assert not driver_log.exists()  # the driver was never called


def test_checkpoint_is_a_no_op_outside_a_worker():
    checkpoint()  # the command line and the benchmark drive Slurm without any lease


class FakeSacctmgr:
    """Answers like a cluster with only its root account; records every call."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, argv, **_kwargs):
        self.calls.append(argv)
        out = "root|||\n" if "show" in argv else ""
        return subprocess.CompletedProcess(argv, 0, out, "")


def test_a_convergence_stops_before_its_next_sacctmgr_call_once_the_lease_is_lost():
    runner = FakeSacctmgr()
    client = SlurmClient("c1", runner=runner)
    target = AccountTarget.parse(
        {"cluster": "c1", "account": "p1", "parent": "root", "users": ["alice"], "limits": {"cpu": 60}}
    )
    allowed = {"calls": 1}  # the lease is lost once the convergence has read the cluster

    def check() -> None:
        if allowed["calls"] == 0:
            raise LeaseLost("taken over")
        allowed["calls"] -= 1

    with checked_by(check), pytest.raises(LeaseLost):
        converge(client, [target])
    assert [argv[4] for argv in runner.calls] == ["show"]  # read, then nothing loaded

    converge(client, [target])  # without a lease (no worker), the same convergence goes through
    assert [argv[4] for argv in runner.calls] == ["show", "show", "load"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_counts_lost_leases_apart(driver_log):
    def lost() -> float:
        return REGISTRY.get_sample_value("mesocentre_operations_leases_lost_total", {"backend": "test-steps"}) or 0.0

    before = lost()
    operation = claimed()
    take_over(operation)
    Worker("w1")._apply(operation)
    assert lost() == before + 1
    assert not driver_log.exists()
