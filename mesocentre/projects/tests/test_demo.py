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
