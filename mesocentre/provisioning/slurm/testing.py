"""A real single-node Slurm for the whole test session, started by scripts/slurm.sh and stopped at the end.

A pytest plugin module: ``mesocentre/provisioning/conftest.py`` imports its fixtures for every provisioning test
folder; another app can do the same, or list it in ``pytest_plugins`` of the root conftest.
"""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from mesocentre.provisioning.slurm.client import SlurmClient

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "slurm.sh"


@dataclass
class SlurmCluster:
    directory: Path
    slurm_conf: str
    name: str
    job_user: str  # an ordinary Unix user that jobs of the tests run as

    def script(self, action: str) -> None:
        """Run ``scripts/slurm.sh ACTION DIR`` (stop-dbd, start-dbd) against this cluster."""
        subprocess.run([str(SCRIPT), action, str(self.directory)], check=True, capture_output=True, text=True)

    def client(self, **kwargs) -> SlurmClient:
        return SlurmClient(self.name, self.slurm_conf, **kwargs)


@pytest.fixture(scope="session")
def slurm_cluster():
    if os.geteuid() != 0:
        pytest.fail("The Slurm tests start munged, MariaDB and Slurm's daemons: run them as root (scripts/test.sh).")
    # Not under pytest's basetemp (mode 0700): munged and MariaDB run as their own users and must reach it.
    directory = Path(tempfile.mkdtemp(prefix="mesocentre-slurm-", dir="/tmp"))
    try:
        done = subprocess.run(
            [str(SCRIPT), "start", str(directory), "0", "mesotest"], capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            pytest.fail(f"scripts/slurm.sh start failed:\n{done.stdout}\n{done.stderr}")
        values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
        yield SlurmCluster(directory, values["SLURM_CONF"], values["SLURM_CLUSTER"], values["SLURM_JOB_USER"])
    finally:
        subprocess.run([str(SCRIPT), "stop", str(directory)], capture_output=True, text=True, timeout=120)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def slurm(slurm_cluster) -> SlurmClient:
    return slurm_cluster.client()


def wait_until(predicate, timeout: float = 30, interval: float = 0.2):
    """Poll ``predicate`` until it returns something true or ``timeout`` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
