import pytest
from django.urls import reverse

from mesocentre.audit.models import AuditEntry
from mesocentre.projects.models import Allocation, AllocationRequest, Project, Review, Round
from mesocentre.provisioning.models import Operation


def test_demo_is_complete_and_idempotent(demo):
    from mesocentre.core.demo import load_demo

    assert Project.objects.count() == 8
    assert Project.objects.values("theme").distinct().count() == 8
    rounds = {r.name: r for r in Round.objects.filter(call__name="Appel HPC 2026")}
    assert not rounds["Session 1"].is_open
    assert Allocation.objects.filter(status="active", cluster="mesocentre").count() == 6
    assert AllocationRequest.objects.filter(round=rounds["Session 2"], status="under_review").count() == 3
    assert Review.objects.exists()
    imft = Operation.objects.filter(backend="slurm", resource_key="mesocentre:imft-jets", state="pending").get()
    assert imft.target["limits"]["cpu"] == 10_000_000 * 60, "the approved change request raised the limit"
    irit = Operation.objects.get(backend="slurm", resource_key="mesocentre:irit-hybrid-ai", state="pending")
    assert irit.target["users"] == ["ichercheuse"], "member-irit has not accepted the charter"
    counts = (Project.objects.count(), Operation.objects.count(), AuditEntry.objects.count())
    load_demo()
    assert (Project.objects.count(), Operation.objects.count(), AuditEntry.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_the_demos_slurm_operations_wait_until_a_worker_has_the_cluster(demo, client, slurm_cluster, monkeypatch):
    """Without SLURM_CONF the operations wait and the operations page says why; `worker --once` with it set creates
    the accounts, users and limits. The session's slurmdbd learns the demo's cluster name for this."""
    from mesocentre.projects.services import desired_slurm_state
    from mesocentre.provisioning.services import unconfigured_slurm_clusters
    from mesocentre.provisioning.slurm import reconcile
    from mesocentre.provisioning.tests.conftest import worker_env
    from mesocentre.provisioning.tests.test_slurm_driver import run_worker
    from mesocentre.tenancy.models import User

    monkeypatch.delenv("SLURM_CONF", raising=False)
    monkeypatch.delenv("MESOCENTRE_SLURM_CLUSTER", raising=False)
    slurm_ops = Operation.objects.filter(backend="slurm").exclude(state="cancelled")  # superseded while loading
    assert unconfigured_slurm_clusters() == ["mesocentre"]
    client.force_login(User.objects.filter(is_operator=True).first())
    page = client.get(reverse("provisioning:operation_list")).content.decode()
    assert "No Slurm cluster named <code>mesocentre</code> is configured" in page

    unconfigured = worker_env()
    for name in ("SLURM_CONF", "MESOCENTRE_SLURM_CLUSTER"):
        unconfigured.pop(name, None)
    run_worker("demo-worker", unconfigured)
    assert slurm_ops.filter(state="pending", attempts=0).count() == 6

    client_ = slurm_cluster.client()
    client_.sacctmgr("add", "cluster", "mesocentre", ok_if_nothing=True)
    try:
        env = worker_env(SLURM_CONF=slurm_cluster.slurm_conf, MESOCENTRE_SLURM_CLUSTER="mesocentre")
        assert "6 operation(s) processed" in run_worker("demo-worker", env)
        assert set(slurm_ops.values_list("state", flat=True)) == {"done"}
        monkeypatch.setenv("SLURM_CONF", slurm_cluster.slurm_conf)
        monkeypatch.setenv("MESOCENTRE_SLURM_CLUSTER", "mesocentre")
        assert unconfigured_slurm_clusters() == []
        assert reconcile.drift("mesocentre") == [], "Slurm holds exactly what the demo's projects say"
        imft = next(t for t in desired_slurm_state("mesocentre") if t["account"] == "imft-jets")
        show = client_.sacctmgr(
            "show", "assoc", "where", "account=imft-jets", "cluster=mesocentre", "format=user,grptresmins"
        )
        assert f"cpu={imft['limits']['cpu']}" in show
    finally:
        client_.sacctmgr("delete", "cluster", "mesocentre", ok_if_nothing=True)
