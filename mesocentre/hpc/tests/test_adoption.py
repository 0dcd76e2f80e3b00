"""``mesocentre slurm import`` against the session's real Slurm, on accounts made by hand with sacctmgr."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mesocentre.hpc.models import Allocation
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.provisioning.models import Operation, SlurmCluster
from mesocentre.provisioning.slurm import reconcile
from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("slurm", "import", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def legacy(db, slurm_cluster, slurm, user_factory):
    """A cluster as a centre has it before the platform: accounts, users, coordinators and limits by hand."""
    name = slurm_cluster.name
    SlurmCluster.objects.create(name=name, slurm_conf=slurm_cluster.slurm_conf, root_account="imp-root")
    theme = ScientificTheme.objects.create(code="imp-fluids", name="Imported fluids")
    univ = Establishment.objects.create(code="impu", name="Imported university", kind="university")
    for code in ("imp-lab-a", "imp-lab-b"):
        Laboratory.objects.create(code=code, name=code, theme=theme).establishments.set([univ])
    user_factory("alice", unix_login="imp-alice", charter_accepted_at=timezone.now())
    user_factory("bob", unix_login="imp-bob")

    def sacctmgr(*args):  # the session's cluster outlives each test: adding twice is fine
        slurm.sacctmgr(*args, f"cluster={name}", ok_if_nothing=True)

    sacctmgr("add", "account", "imp-root", "parent=root")
    sacctmgr("add", "account", "impu", "parent=imp-root")
    sacctmgr("add", "account", "imp-ghost", "parent=imp-root")
    sacctmgr("add", "account", "imp-p1", "parent=impu", "description=Turbulence", "organization=imp-lab-a")
    sacctmgr("add", "account", "imp-p2", "parent=impu")
    sacctmgr("add", "account", "imp-p3", "parent=imp-ghost")
    sacctmgr("add", "account", "imp-sub", "parent=imp-p1")
    sacctmgr("add", "user", "imp-alice,imp-bob,imp-zed", "account=imp-p1")
    slurm.sacctmgr("add", "coordinator", "account=imp-p1", "names=imp-alice", ok_if_nothing=True)
    slurm.set_limits({"imp-p1": {"cpu": 6000, "gres/gpu": 130}})
    return name


def test_import_maps_what_it_can_and_says_why_not_for_the_rest(legacy):
    dry = run("--cluster", legacy, "--dry-run")
    assert [row["project"] for row in dry["created"]] == ["imp-p1"]
    assert not Project.objects.filter(code="imp-p1").exists(), "a dry run creates nothing"
    text = io.StringIO()
    call_command("slurm", "import", "--cluster", legacy, "--dry-run", stdout=text)
    assert "would create imp-p1: 2 member(s), 100 core-hours, 3 GPU hours" in text.getvalue()
    assert "not mapped imp-ghost: no establishment" in text.getvalue()

    report = run("--cluster", legacy)
    assert report["establishments"] == ["impu"]
    reasons = {row["account"]: row["reason"] for row in report["not_mapped"]}
    assert set(reasons) == {"imp-ghost", "imp-p2", "imp-p3", "imp-sub"}
    assert "no establishment of the platform" in reasons["imp-ghost"]
    assert "--laboratory" in reasons["imp-p2"], "two laboratories and no Organization: the lab cannot be told"
    assert "is no establishment" in reasons["imp-p3"] and "levels below" in reasons["imp-sub"]

    project = Project.objects.get(code="imp-p1")
    assert (project.title, project.laboratory.code, project.paying_establishment.code) == (
        "turbulence",  # Slurm lowercases descriptions
        "imp-lab-a",
        "impu",
    )
    roles = dict(project.memberships.values_list("user__unix_login", "role"))
    assert roles == {"imp-alice": ProjectMembership.Role.PI, "imp-bob": ProjectMembership.Role.MEMBER}
    allocation = project.allocations.get()
    assert (allocation.cluster, allocation.cpu_core_hours, allocation.gpu_hours) == (legacy, 100, 3)
    assert allocation.status == Allocation.Status.ACTIVE
    warnings = " ".join(row["message"] for row in report["warnings"] if row["account"] == "imp-p1")
    assert "imp-zed" in warnings and "charter" in warnings and "130 minutes" in warnings
    assert not Operation.objects.exists(), "Slurm already holds the accounts: nothing is queued"

    # What the warnings announced is exactly what reconciliation sees.
    drift = {(i.extra["kind"], i.resource_key) for i in reconcile.drift(legacy) if "imp-p1" in i.resource_key}
    assert drift == {("limits", f"{legacy}:imp-p1"), ("extra_users", f"{legacy}:imp-p1")}

    again = run("--cluster", legacy, "--laboratory", "imp-lab-b")
    assert "imp-p1" in again["known"] and [row["project"] for row in again["created"]] == ["imp-p2"]
    assert again["created"][0]["allocation"] is None, "no limit in Slurm: no allocation invented"
    assert Project.objects.get(code="imp-p2").laboratory.code == "imp-lab-b"
    assert Project.objects.count() == 2


def test_import_refuses_an_unknown_laboratory_and_an_undeclared_cluster(legacy):
    with pytest.raises(CommandError, match="--laboratory"):
        run("--cluster", legacy, "--laboratory", "nowhere")
    with pytest.raises(CommandError, match="--cluster elsewhere"):
        run("--cluster", "elsewhere")
    assert not Project.objects.exists()
