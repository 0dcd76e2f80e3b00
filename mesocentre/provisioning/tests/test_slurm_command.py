"""`mesocentre slurm reconcile` against the real Slurm of the session."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mesocentre.provisioning.models import SlurmCluster
from mesocentre.provisioning.tests.test_slurm_driver import target
from mesocentre.provisioning.tests.test_slurm_reconcile import provider  # noqa: F401 - a fixture


def reconcile(*args: str) -> dict:
    out = StringIO()
    call_command("slurm", "reconcile", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_reconcile_prints_the_drift_and_apply_repairs_it(db, slurm_cluster, slurm, provider):  # noqa: F811
    name = slurm_cluster.name
    SlurmCluster.objects.create(name=name, slurm_conf=slurm_cluster.slurm_conf, root_account="cmd-root")
    provider["cmd-p"] = target(name, "cmd-p", "cmd-est", ["cmd-alice"], cpu=600)

    drift = reconcile("--cluster", name)[name]["drift"]
    assert [(d["extra"]["kind"], d["resource_key"]) for d in drift] == [("missing_account", f"{name}:cmd-p")]
    assert reconcile("--cluster", name, "--apply")[name]["repaired"]["applied"]
    assert reconcile("--cluster", name)[name]["drift"] == []

    slurm.sacctmgr("add", "account", "cmd-rogue", "parent=cmd-est", f"cluster={name}")
    slurm.set_limits({"cmd-p": {"cpu": 1}})
    out = StringIO()
    call_command("slurm", "reconcile", "--cluster", name, "--apply", stdout=out)
    assert "2 difference(s)" in out.getvalue() and "kept unknown accounts cmd-rogue" in out.getvalue()
    assert slurm.accounts()["cmd-p"].grp_tres_mins["cpu"] == 600
    reconcile("--cluster", name, "--apply", "--remove-extra")
    assert "cmd-rogue" not in slurm.accounts()


def test_an_unknown_cluster_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No Slurm cluster named 'nowhere' is configured"):
        call_command("slurm", "reconcile", "--cluster", "nowhere")
