"""Cluster declaration, refused targets, read-back and reconciliation against the real Slurm of the session."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mesocentre.provisioning import services
from mesocentre.provisioning.drivers import get_driver
from mesocentre.provisioning.models import Operation, SlurmCluster
from mesocentre.provisioning.slurm import reconcile
from mesocentre.provisioning.slurm.client import AccountSpec
from mesocentre.provisioning.slurm.clusters import cluster_config, configured, declared_clusters
from mesocentre.provisioning.tests.test_slurm_driver import target
from mesocentre.provisioning.worker import Worker

State = Operation.State


@pytest.fixture
def no_env_cluster(monkeypatch):
    monkeypatch.delenv("MESOCENTRE_SLURM_CLUSTER", raising=False)
    monkeypatch.delenv("SLURM_CONF", raising=False)


@pytest.fixture
def provider():
    desired: dict[str, dict] = {}

    def provide(cluster: str) -> list[dict]:
        return [t for t in desired.values() if t["cluster"] == cluster]

    reconcile.register_desired_state(provide)
    yield desired
    reconcile.unregister_desired_state(provide)


def test_clusters_are_declared_by_rows_or_by_the_environment(db, monkeypatch, no_env_cluster, user_factory):
    assert cluster_config("mesocentre") is None and declared_clusters() == []
    monkeypatch.setenv("SLURM_CONF", "/etc/slurm/slurm.conf")
    monkeypatch.setenv("MESOCENTRE_SLURM_CLUSTER", "mesocentre")
    assert cluster_config("mesocentre") == ("mesocentre", "/etc/slurm/slurm.conf")
    SlurmCluster.objects.create(name="gpu", slurm_conf="/etc/slurm-gpu/slurm.conf", description="GPU platform")
    SlurmCluster.objects.create(name="old", slurm_conf="/etc/old/slurm.conf", is_active=False)
    assert cluster_config("gpu") == ("gpu", "/etc/slurm-gpu/slurm.conf") and cluster_config("old") is None
    assert [c.name for c in declared_clusters()] == ["gpu", "mesocentre"]
    # What the queue's pages ask of many names at once, as cluster_config answers each.
    assert configured(["gpu", "old", "mesocentre", "nowhere"]) == {"gpu", "mesocentre"}
    for bad in ({"name": "Big Iron; reboot"}, {"slurm_conf": "relative/slurm.conf"}, {"root_account": "a,b"}):
        with pytest.raises(ValidationError):
            SlurmCluster.objects.create(**{"name": "ok", "slurm_conf": "/etc/slurm.conf", **bad})
    assert SlurmCluster.objects.visible_to(user_factory("op", is_operator=True)).count() == 2
    assert SlurmCluster.objects.visible_to(user_factory("pi")).count() == 0


@pytest.mark.django_db
def test_no_cluster_configured_waits_without_using_attempts_with_a_readable_error(no_env_cluster):
    with transaction.atomic():
        op = services.enqueue("slurm", "account", "mesocentre:p1", target("mesocentre", "p1", "est", [], cpu=60))
    for _ in range(op.max_attempts + 1):
        assert Worker("w", once=True).run() == 0, "waiting for configuration is not processing"
    op.refresh_from_db()
    assert op.state == State.PENDING and op.attempts == 0, "it never fails for want of configuration"
    assert op.next_attempt_at <= timezone.now(), "a worker started with the configuration takes it at once"
    assert "No Slurm cluster named 'mesocentre' is configured" in op.last_error
    assert "SLURM_CONF" in op.last_error and "MESOCENTRE_SLURM_CLUSTER" in op.last_error


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["a; rm -rf /", "it's", "line\nbreak", "x" * 150, "root"])
def test_an_injecting_target_fails_at_once_and_reaches_no_slurm(no_env_cluster, account):
    key = f"mesocentre:{account}"
    with transaction.atomic():
        op = services.enqueue("slurm", "account", key, target("mesocentre", account, "est", [], cpu=60))
    Worker("w", once=True).run()
    op.refresh_from_db()
    assert op.state == State.FAILED and op.attempts == 1
    assert "account" in op.last_error


def test_read_actual_has_the_shape_of_a_target(db, slurm_cluster, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.slurm_conf)
    monkeypatch.setenv("MESOCENTRE_SLURM_CLUSTER", slurm_cluster.name)
    wanted = target(slurm_cluster.name, "ra-p", "ra-est", ["ra-bob", "ra-alice"], cpu=300, gpu=30)
    with transaction.atomic():
        op = services.enqueue("slurm", "account", f"{slurm_cluster.name}:ra-p", wanted)
    Worker("w", once=True).run()
    op.refresh_from_db()
    assert op.state == State.DONE, op.last_error
    driver = get_driver("slurm")
    assert driver.read_actual("account", f"{slurm_cluster.name}:ra-p") == wanted
    assert driver.read_actual("account", f"{slurm_cluster.name}:ra-none") is None


def kinds(items) -> set[tuple[str, str]]:
    return {(i.extra["kind"], i.resource_key.partition(":")[2]) for i in items}


def test_reconcile_finds_and_repairs_changes_made_behind_the_platforms_back(db, slurm_cluster, slurm, provider):
    name = slurm_cluster.name
    # Its own root account keeps this cluster's drift to the platform's subtree, whatever other tests created.
    SlurmCluster.objects.create(name=name, slurm_conf=slurm_cluster.slurm_conf, root_account="rec-root")
    for i in range(3):
        provider[f"rec-p{i}"] = target(name, f"rec-p{i}", "rec-est", ["rec-alice", f"rec-u{i}"], cpu=600 * (i + 1))

    missing = reconcile.drift(name)
    assert kinds(missing) == {("missing_account", f"rec-p{i}") for i in range(3)}
    reconcile.repair(name, missing)
    assert reconcile.drift(name) == []

    # An operator's hand: a rogue account, a limit raised, a user added, a project moved.
    slurm.sacctmgr("add", "account", "rec-rogue", "parent=rec-est", f"cluster={name}")
    slurm.sacctmgr("add", "account", "rec-other", "parent=rec-root", f"cluster={name}")
    slurm.set_limits({"rec-p0": {"cpu": 99999}})
    slurm.add_users("rec-p1", ["rec-eve"])
    slurm.ensure_accounts([AccountSpec("rec-p2", "rec-other")])

    items = reconcile.drift(name)
    assert kinds(items) == {
        ("extra_account", "rec-rogue"),
        ("extra_account", "rec-other"),
        ("limits", "rec-p0"),
        ("extra_users", "rec-p1"),
        ("wrong_parent", "rec-p2"),
    }
    limits = next(i for i in items if i.extra["kind"] == "limits")
    assert limits.extra["limits"] == {"cpu": [99999, 600]} and limits.actual["limits"]["cpu"] == 99999
    as_json = json.loads(json.dumps(reconcile.as_json(items)))
    assert {row["extra"]["kind"] for row in as_json} >= {"extra_account", "limits"}

    outcome = reconcile.repair(name, items)
    assert outcome["extra_kept"] == ["rec-other", "rec-rogue"] and outcome["removed"] == []
    assert outcome["applied"][f"{name}:rec-p1"]["users_removed"] == ["rec-eve"]
    assert outcome["applied"][f"{name}:rec-p2"]["moved_from"] == "rec-other"
    left = reconcile.drift(name)
    assert kinds(left) == {("extra_account", "rec-rogue"), ("extra_account", "rec-other")}

    outcome = reconcile.repair(name, left, remove_extra=True)
    assert sorted(outcome["removed"]) == ["rec-other", "rec-rogue"]
    assert reconcile.drift(name) == []
    assert "rec-rogue" not in slurm.accounts()


def test_an_account_past_its_grace_period_is_found_and_removed_its_users_keep_their_other_accounts(
    db, slurm_cluster, slurm, provider
):
    name = slurm_cluster.name
    SlurmCluster.objects.create(name=name, slurm_conf=slurm_cluster.slurm_conf, root_account="grc-root")
    # grc-old is the first (default) account of grc-bob, who also works in grc-new.
    provider["grc-old"] = target(name, "grc-old", "grc-est", ["grc-bob"], cpu=600)
    reconcile.repair(name, reconcile.drift(name))
    provider["grc-new"] = target(name, "grc-new", "grc-est", ["grc-bob"], cpu=600)
    reconcile.repair(name, reconcile.drift(name))
    assert slurm.default_accounts(["grc-bob"]) == {"grc-bob": "grc-old"}

    provider["grc-old"] = target(name, "grc-old", "grc-est", [], cpu=0, state="absent")
    items = reconcile.drift(name)
    assert kinds(items) == {("past_grace", "grc-old")}
    outcome = reconcile.repair(name, items)
    assert outcome["applied"][f"{name}:grc-old"]["deleted"] is True
    assert "grc-old" not in slurm.accounts() and "grc-new" in slurm.accounts()
    assert slurm.default_accounts(["grc-bob"]) == {"grc-bob": "grc-new"}
    assert reconcile.drift(name) == [], "an account removed as wanted is no drift"
