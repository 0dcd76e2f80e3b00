"""The Slurm driver through real worker processes against the real Slurm of the session (scripts/slurm.sh)."""

import signal
import subprocess
import time

import pytest
from django.db import transaction
from django.utils import timezone

from mesocentre.provisioning import services
from mesocentre.provisioning.drivers.slurm import LEASE_ENV
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.slurm.client import SlurmError
from mesocentre.provisioning.slurm.converge import read_snapshot
from mesocentre.provisioning.slurm.testing import wait_until
from mesocentre.provisioning.tests.conftest import start_worker, worker_env
from mesocentre.provisioning.worker import Worker

State = Operation.State


def target(cluster: str, account: str, parent: str, users, cpu: int, gpu: int = 60, state: str = "active") -> dict:
    limits = {"cpu": cpu, "gres/gpu": gpu} if state == "active" else {"cpu": 0, "gres/gpu": 0}
    return {
        "cluster": cluster,
        "account": account,
        "parent": parent,
        "users": sorted(users),
        "limits": limits,
        "state": state,
    }


def enqueue_all(targets: list[dict]) -> list[Operation]:
    with transaction.atomic():
        return [services.enqueue("slurm", "account", f"{t['cluster']}:{t['account']}", t) for t in targets]


def slurm_env(slurm_cluster, **extra: str) -> dict:
    return worker_env(SLURM_CONF=slurm_cluster.slurm_conf, MESOCENTRE_SLURM_CLUSTER=slurm_cluster.name, **extra)


def run_worker(name: str, env: dict, timeout: float = 180) -> str:
    process = start_worker(name, "--once", env=env)
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


def assert_slurm_matches(slurm, targets: list[dict]) -> None:
    snap = read_snapshot(slurm)
    for t in targets:
        assert snap.actual(t["cluster"], t["account"]) == t, t["account"]


def try_submit(slurm, account: str, *extra: str, as_user: str | None = None):
    try:
        return slurm.submit(account, "sleep 1", *extra, as_user=as_user)
    except SlurmError:
        return None  # slurmctld learns new associations from slurmdbd a moment after sacctmgr returns


@pytest.mark.django_db(transaction=True)
def test_worker_creates_the_account_a_job_runs_and_a_zero_limit_blocks(slurm_cluster, slurm):
    name = slurm_cluster.name
    granted = target(name, "drv-ok", "drv-est", ["drv-alice", "root"], cpu=600)
    suspended = target(name, "drv-zero", "drv-est", ["root"], cpu=600, state="suspended")
    ops = enqueue_all([granted, suspended])

    assert "2 operation(s) processed" in run_worker("w-slurm", slurm_env(slurm_cluster))

    for op in ops:
        op.refresh_from_db()
        assert op.state == State.DONE, op.last_error
    assert ops[0].result == {
        "cluster": name,
        "account": "drv-ok",
        "state": "active",
        "created": True,
        "moved_from": None,
        "limits_changed": {"cpu": [None, 600], "gres/gpu": [None, 60]},
        "users_added": ["drv-alice", "root"],
        "users_removed": [],
        "deleted": False,
        "changed": True,
    }
    show = slurm.sacctmgr("show", "assoc", "where", "account=drv-ok", f"cluster={name}", "format=user,grptresmins")
    assert "|cpu=600,gres/gpu=60" in show and "drv-alice|" in show and "root|" in show
    assert_slurm_matches(slurm, [granted, suspended])

    job = wait_until(lambda: try_submit(slurm, "drv-ok", "--gres=gpu:1"), timeout=15)
    blocked = wait_until(lambda: try_submit(slurm, "drv-zero"), timeout=15)
    assert job and blocked
    assert wait_until(lambda: slurm.usage("drv-ok").jobs == 1 and str(job) not in slurm.job_states([job]), 40)
    assert slurm.usage("drv-ok").cpu_seconds >= 1 and slurm.usage("drv-ok").tres_seconds["gres/gpu"] >= 1
    reason = wait_until(lambda: slurm.job_states([blocked])[str(blocked)][1] == "AssocGrpCPUMinutesLimit", 20)
    assert reason, slurm.job_states([blocked])
    assert slurm.usage("drv-zero").cpu_seconds == 0  # its pending job never ran
    subprocess.run(["scancel", str(blocked)], env=slurm._env(), check=True)


def batch(cluster: str, prefix: str, count: int = 20) -> list[dict]:
    """Projects under two establishments with a few distinct grants and overlapping users (new to Slurm too)."""
    users = [f"{prefix}-u{n}" for n in range(5)]
    return [
        target(
            cluster, f"{prefix}-p{i:02d}", f"{prefix}-e{i % 2}", [users[i % 5], users[(i + 1) % 5]], 600 * (i % 4 + 1)
        )
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_slurm_as_the_targets_say_with_nothing_applied_twice(slurm_cluster, slurm):
    name = slurm_cluster.name
    # What one clean application of such a batch costs in slurmdbd transactions, on twin accounts.
    clean = batch(name, "kcln")
    enqueue_all(clean)
    before = slurm.transactions_count()
    run_worker("w-clean", slurm_env(slurm_cluster))
    clean_cost = slurm.transactions_count() - before
    assert clean_cost > 0
    assert_slurm_matches(slurm, clean)

    targets = batch(name, "kill")
    ops = enqueue_all(targets)
    env = slurm_env(slurm_cluster, **{LEASE_ENV: "3"})
    before = slurm.transactions_count()
    doomed = start_worker("doomed", "--once", env=env)
    done = Operation.objects.filter(pk__in=[op.pk for op in ops], state=State.DONE)
    if not wait_until(lambda: done.count() >= 4 or doomed.poll() is not None, timeout=60, interval=0.05):
        doomed.kill()
    assert doomed.poll() is None, doomed.communicate()
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    finished = done.count()
    assert finished < len(ops), "the worker finished before it was killed: nothing was interrupted"
    victim = Operation.objects.filter(pk__in=[op.pk for op in ops], state=State.RUNNING).first()

    time.sleep(3.5)  # the short lease of the killed worker expires
    run_worker("rescuer", env)

    states = Operation.objects.filter(pk__in=[op.pk for op in ops]).values_list("state", "attempts", "claimed_by")
    assert {s for s, _, _ in states} == {State.DONE}
    if victim is not None:  # killed inside an operation: taken over once, on a second attempt
        victim.refresh_from_db()
        assert (victim.attempts, victim.claimed_by) == (2, "rescuer")
    assert sum(1 for _, attempts, _ in states if attempts == 1) >= len(ops) - 1
    assert_slurm_matches(slurm, targets)
    assert slurm.transactions_count() - before == clean_cost  # nothing lost, nothing applied twice

    # Replaying every target, already applied, records no transaction at all.
    enqueue_all(targets)
    before = slurm.transactions_count()
    run_worker("replayer", env)
    assert slurm.transactions_count() == before


@pytest.mark.django_db
def test_slurmdbd_down_waits_and_retries_then_succeeds(slurm_cluster, slurm, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.slurm_conf)
    monkeypatch.setenv("MESOCENTRE_SLURM_CLUSTER", slurm_cluster.name)
    wanted = target(slurm_cluster.name, "dbd-p", "dbd-est", ["dbd-alice"], cpu=1200)
    (op,) = enqueue_all([wanted])
    slurm_cluster.script("stop-dbd")
    try:
        Worker("w-dbd", once=True).run()
        op.refresh_from_db()
        assert op.state == State.PENDING and op.attempts == 1
        assert op.next_attempt_at > timezone.now()
        assert "slurmdbd" in op.last_error and "unreachable" in op.last_error, op.last_error
    finally:
        slurm_cluster.script("start-dbd")
    Operation.objects.filter(pk=op.pk).update(next_attempt_at=timezone.now())  # instead of waiting the backoff
    Worker("w-dbd", once=True).run()
    op.refresh_from_db()
    assert op.state == State.DONE and op.attempts == 2 and op.last_error == ""
    assert_slurm_matches(slurm, [wanted])
