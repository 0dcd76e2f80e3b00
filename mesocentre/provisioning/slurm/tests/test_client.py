"""The Slurm client against a real single-node Slurm (scripts/slurm.sh), and its refusal of hostile names."""

import subprocess
from decimal import Decimal

import pytest

from mesocentre.provisioning.slurm import client as client_module
from mesocentre.provisioning.slurm.client import AccountSpec, SlurmClient, SlurmUnavailable, parse_tres
from mesocentre.provisioning.slurm.names import (
    ACCOUNT_MAX_LENGTH,
    InvalidName,
    account_name_for,
    is_valid_account,
    validate_account,
    validate_user,
)
from mesocentre.provisioning.slurm.testing import wait_until

HOSTILE = [
    "a; rm -rf /",
    "a,b",
    "x[1-3]",
    "it's",
    'say "hi"',
    "line\nbreak",
    "nul\0byte",
    "name=root",
    "UPPER",
    "-leading-dash",
    "$(reboot)",
    "`id`",
    "a b",
    "é",
    "x" * 300,
    "",
    "where",
    "set",
]


class Recorder:
    """Stands in for subprocess.run and records every command it is asked to run (and then runs it)."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, argv, **kwargs):
        self.calls.append(list(argv))
        return subprocess.run(argv, **kwargs)

    def sacctmgr_changes(self) -> list[list[str]]:
        return [c for c in self.calls if c[0] == "sacctmgr" and c[4] in ("add", "modify", "delete")]


# ---- names, without Slurm ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused(name):
    with pytest.raises(InvalidName):
        validate_account(name)
    with pytest.raises(InvalidName):
        validate_user(name)


def test_hostile_codes_map_to_valid_stable_distinct_names():
    mapped = [account_name_for(code) for code in HOSTILE]
    assert all(is_valid_account(name) and len(name) <= ACCOUNT_MAX_LENGTH for name in mapped)
    assert mapped == [account_name_for(code) for code in HOSTILE]  # stable
    assert len(set(mapped)) == len(mapped)  # distinct
    # Codes that slug alike still differ; valid codes are kept as they are; long ones are cut with a hash.
    assert account_name_for("AB c") != account_name_for("ab-c") and account_name_for("ab-c") == "ab-c"
    assert account_name_for("hpc-2025-001") == "hpc-2025-001"
    assert account_name_for("a" * 300) != account_name_for("a" * 299)
    assert account_name_for("Été climatique").startswith("ete-climatique-")
    assert account_name_for("2025 project").startswith("p-2025-project-")


def test_parse_tres():
    assert parse_tres("cpu=600,gres/gpu=60") == {"cpu": 600, "gres/gpu": 60}
    assert parse_tres("") == {}
    assert parse_tres("billing=1,cpu=2,gres/gpu=1,mem=4000M,node=1")["mem"] == 4000


def test_injection_is_refused_before_any_process_runs(monkeypatch):
    calls = []
    monkeypatch.setattr(client_module.subprocess, "run", lambda *a, **k: calls.append(a) or pytest.fail("ran"))
    slurm = SlurmClient("mesotest", "/nonexistent/slurm.conf")
    for name in HOSTILE:
        with pytest.raises(InvalidName):
            slurm.ensure_accounts([AccountSpec(name, "root")])
        with pytest.raises(InvalidName):
            slurm.ensure_accounts([AccountSpec("okay", name)])
        with pytest.raises(InvalidName):
            slurm.set_limits({name: {"cpu": 60}})
        with pytest.raises(InvalidName):
            slurm.add_users("okay", ["alice", name])
        with pytest.raises(InvalidName):
            slurm.remove_users(name, ["alice"])
        with pytest.raises(InvalidName):
            slurm.delete_accounts(["okay", name])
        with pytest.raises(InvalidName):
            slurm.usage(name)
    for bad_limits in ({"cpu": "60; rm"}, {"cpu=1,mem": 1}, {"gres/gpu": -5}, {"cpu": 1.5}, {"cpu": True}, {}):
        with pytest.raises(InvalidName):
            slurm.set_limits({"okay": bad_limits})
    with pytest.raises(InvalidName):
        SlurmClient("mesotest; reboot")
    assert calls == []


# ---- against the real Slurm -----------------------------------------------------------------------------------
def test_bulk_accounts_under_a_hierarchy(slurm_cluster):
    recorder = Recorder()
    slurm = slurm_cluster.client(runner=recorder)
    projects = [f"bulk-p{i:02d}" for i in range(30)]
    specs = [AccountSpec(p, "bulk-est") for p in projects] + [AccountSpec("bulk-est", "root")]
    before = slurm.transactions_count()

    created = slurm.ensure_accounts(specs)

    assert sorted(created) == sorted(["bulk-est", *projects])
    # One read, then one call for the establishment and one for its 30 projects.
    assert [c[4:6] for c in recorder.sacctmgr_changes()] == [["add", "account"], ["add", "account"]]
    accounts = slurm.accounts()
    assert accounts["bulk-est"].parent == "root"
    assert all(accounts[p].parent == "bulk-est" for p in projects)
    # Slurm records one transaction per account and one per association.
    assert slurm.transactions_count() - before == 2 * len(created)

    # Converging again changes nothing, in Slurm's own record of changes too.
    mid = slurm.transactions_count()
    assert slurm.ensure_accounts(specs) == []
    assert slurm.transactions_count() == mid

    # Moving a project to another establishment is a change of parent.
    slurm.ensure_accounts([AccountSpec("bulk-est2", "root")])
    assert slurm.ensure_accounts([AccountSpec("bulk-p00", "bulk-est2")]) == ["bulk-p00"]
    assert slurm.accounts()["bulk-p00"].parent == "bulk-est2"

    slurm.delete_accounts(projects)
    slurm.delete_accounts(["bulk-est", "bulk-est2"])
    assert not {"bulk-est", "bulk-est2", *projects} & set(slurm.accounts())


def test_limits_are_set_in_batches_and_read_back(slurm_cluster):
    recorder = Recorder()
    slurm = slurm_cluster.client(runner=recorder)
    slurm.ensure_accounts([AccountSpec("lim-est", "root")] + [AccountSpec(f"lim-p{i}", "lim-est") for i in range(6)])
    limits = {f"lim-p{i}": {"cpu": 600, "gres/gpu": 60} for i in range(4)}
    limits |= {"lim-p4": {"cpu": 1200, "gres/gpu": 0}, "lim-p5": {"cpu": 1200, "gres/gpu": 0}}
    before = slurm.transactions_count()
    recorder.calls.clear()

    assert slurm.set_limits(limits) == 2  # two distinct limit sets, two calls
    assert len(recorder.sacctmgr_changes()) == 2
    accounts = slurm.accounts()
    assert {name: accounts[name].grp_tres_mins for name in limits} == limits
    assert slurm.transactions_count() - before == 2

    # The same target again: no transaction. Raising one project: one. Clearing a TRES with None.
    slurm.set_limits(limits)
    assert slurm.transactions_count() - before == 2
    slurm.set_limits({"lim-p0": {"cpu": 900, "gres/gpu": 60}})
    assert slurm.accounts()["lim-p0"].grp_tres_mins == {"cpu": 900, "gres/gpu": 60}
    slurm.set_limits({"lim-p1": {"gres/gpu": None}})
    assert slurm.accounts()["lim-p1"].grp_tres_mins == {"cpu": 600}
    assert slurm.transactions_count() - before == 4


def test_users_are_added_and_removed(slurm):
    slurm.ensure_accounts(
        [AccountSpec("usr-est", "root"), AccountSpec("usr-a", "usr-est"), AccountSpec("usr-b", "usr-est")]
    )
    slurm.add_users("usr-a", ["alice", "bob", "carol"])
    slurm.add_users("usr-a", ["alice"])  # already there: nothing to do, no error
    slurm.add_users("usr-b", ["alice"])
    assert slurm.users("usr-a") == {"alice", "bob", "carol"}
    assert slurm.default_accounts(["alice"]) == {"alice": "usr-a"}

    slurm.remove_users("usr-a", ["alice", "bob"])
    slurm.remove_users("usr-a", ["bob"])  # already gone
    assert slurm.users("usr-a") == {"carol"}
    assert slurm.users("usr-b") == {"alice"}
    # alice lost her default account and keeps another: that one becomes her default.
    assert slurm.default_accounts(["alice"]) == {"alice": "usr-b"}


def test_usage_is_counted_and_a_project_over_its_limit_cannot_start_jobs(slurm):
    slurm.ensure_accounts(
        [AccountSpec("job-est", "root"), AccountSpec("job-ok", "job-est"), AccountSpec("job-over", "job-est")]
    )
    slurm.set_limits({"job-ok": {"cpu": 600, "gres/gpu": 60}, "job-over": {"cpu": 0, "gres/gpu": 60}})
    slurm.add_users("job-ok", ["root"])
    slurm.add_users("job-over", ["root"])

    def submit(account, *extra):
        # slurmctld learns new associations from slurmdbd a moment after sacctmgr returns.
        return wait_until(lambda: _try_submit(slurm, account, *extra), timeout=10)

    over = submit("job-over")
    ok = submit("job-ok", "--gres=gpu:1")
    assert over and ok

    state, reason = wait_until(lambda: slurm.job_states([over]).get(str(over)), timeout=10)
    assert state == "PENDING"
    assert wait_until(lambda: slurm.job_states([over])[str(over)][1] == "AssocGrpCPUMinutesLimit", timeout=15)

    done = wait_until(lambda: slurm.usage("job-ok").jobs == 1 and str(ok) not in slurm.job_states([ok]), timeout=25)
    assert done, slurm.job_states([ok])
    usage = slurm.usage("job-ok")
    assert usage.cpu_seconds >= 1 and usage.tres_seconds["gres/gpu"] >= 1
    assert usage.cpu_minutes == Decimal(usage.cpu_seconds) / 60 and usage.gpu_minutes > 0
    assert slurm.job_states([over])[str(over)][0] == "PENDING"  # still waiting, never started
    assert slurm.usage("job-over").cpu_seconds == 0
    subprocess.run(["scancel", str(over)], env=slurm._env(), check=True)


def _try_submit(slurm, account, *extra):
    try:
        return slurm.submit(account, "sleep 1", *extra)
    except client_module.SlurmError:
        return None


def test_slurmdbd_stopped_is_unavailable_then_back(slurm_cluster):
    slurm = slurm_cluster.client(timeout=30)
    slurm_cluster.script("stop-dbd")
    try:
        with pytest.raises(SlurmUnavailable) as error:
            slurm.ensure_accounts([AccountSpec("dbd-down", "root")])
        assert "Connection refused" in error.value.stderr
    finally:
        slurm_cluster.script("start-dbd")
    assert slurm.ensure_accounts([AccountSpec("dbd-down", "root")]) == ["dbd-down"]
