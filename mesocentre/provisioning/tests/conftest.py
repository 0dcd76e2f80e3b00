import os
import subprocess
import sys

import pytest
from django.db import connection

import mesocentre.provisioning.tests.drivers as test_drivers


@pytest.fixture
def driver_log(tmp_path, monkeypatch):
    path = tmp_path / "applications.log"
    monkeypatch.setenv(test_drivers.LOG_ENV, str(path))
    return path


@pytest.fixture
def flaky():
    test_drivers.FlakyDriver.broken = True
    yield test_drivers.FlakyDriver
    test_drivers.FlakyDriver.broken = True


@pytest.fixture
def operator(user_factory):
    return user_factory("olga", is_operator=True)


@pytest.fixture
def researcher(user_factory):
    return user_factory("rachid")


def worker_env(**extra: str) -> dict:
    """The environment of a worker subprocess: the test database, the test drivers."""
    if connection.vendor != "postgresql":
        pytest.fail("Worker processes share the test database: run against PostgreSQL (MESOCENTRE_DATABASE_URL).")
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "MESOCENTRE_DATABASE_URL": url,
        "MESOCENTRE_EXTRA_DRIVERS": "mesocentre.provisioning.tests.drivers",
        **extra,
    }


def start_worker(worker_id: str, *args: str, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "mesocentre.cli", "worker", "--worker-id", worker_id, *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def manual_outcomes():
    """The test handler (``drivers.record_outcome``) subscribed to the manual backend's outcomes for one test."""
    from mesocentre.provisioning.outcomes import register_outcome, unregister_outcome

    register_outcome("manual", None, test_drivers.record_outcome)
    yield test_drivers.record_outcome
    unregister_outcome("manual", None, test_drivers.record_outcome)
