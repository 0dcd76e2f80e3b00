"""`mesocentre usage collect-slurm` (and its old name `metering collect-slurm`) without a reachable Slurm says what is wrong in one line (no Slurm needed)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("command", ["usage", "metering"])
def test_a_missing_slurm_conf_is_one_line_with_exit_status_2(tmp_path, command):
    missing = tmp_path / "slurm.conf"
    done = subprocess.run(
        [sys.executable, "manage.py", command, "collect-slurm", "--cluster", "mesocentre", "--slurm-conf", missing],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,  # sacct itself would retry for a minute
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "mesocentre.settings"},
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    if command == "metering":  # the old name, kept for one release, says so first
        assert "deprecated" in lines.pop(0) and "mesocentre usage collect-slurm" in done.stderr
    [line] = lines
    assert "'mesocentre'" in line and "sacct" in line and f"{missing} does not exist" in line


@pytest.mark.django_db
def test_an_unreachable_slurmdbd_is_one_line_with_exit_status_1(tmp_path, monkeypatch):
    conf = tmp_path / "slurm.conf"
    conf.write_text("ClusterName=mesocentre\n")
    # A stand-in sacct printing what Debian's prints when slurmdbd is down, on PATH before the real one.
    sacct = tmp_path / "bin" / "sacct"
    sacct.parent.mkdir()
    sacct.write_text(
        "#!/bin/sh\n"
        "echo 'sacct: error: _open_persist_conn: failed to open persistent connection to host:localhost:6819:"
        " Connection refused' >&2\n"
        "echo 'sacct: error: Sending PersistInit msg: Connection refused' >&2\n"
        "echo 'sacct: error: Problem talking to the database: Connection refused' >&2\n"
        "exit 1\n"
    )
    sacct.chmod(0o755)
    monkeypatch.setenv("PATH", f"{sacct.parent}:{os.environ['PATH']}")
    with pytest.raises(CommandError) as raised:
        call_command("metering", "collect-slurm", "--cluster", "mesocentre", "--slurm-conf", str(conf))
    assert raised.value.returncode == 1
    assert (
        str(raised.value) == "cluster 'mesocentre': sacct failed: Problem talking to the database: Connection refused"
    )


def test_a_cluster_name_slurm_would_refuse_is_exit_status_2():
    with pytest.raises(CommandError) as raised:
        call_command("metering", "collect-slurm", "--cluster", "a;b")
    assert raised.value.returncode == 2 and "--cluster" in str(raised.value) and "\n" not in str(raised.value)
