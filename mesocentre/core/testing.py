"""The test session's lanes, clock and shared demo: a pytest plugin, listed in the root conftest.

- Lanes: a test that uses the ``slurm_cluster`` or ``browser`` fixture is marked ``slurm`` or ``browser`` by
  itself; ``--fast`` leaves out those and the ``install`` tests (the README's quick command).
- ``--shift-clock=DAYS`` runs the session with the clock DAYS days ahead, in this process (time-machine) and in
  every Python process it starts (``tests/clock/sitecustomize.py``, put on their PYTHONPATH): CI runs the suite a
  second time so, which proves that no test depends on today's date.
- The demo: the ``demo`` fixture of a test that runs in a transaction shares one load with the tests next to it
  that want it too. The load is an outer transaction that each test's own transaction nests in as a savepoint, so
  what a test changes is rolled back and the next test sees the demo as loaded; it is rolled back as soon as a test
  comes that must not see it (no ``demo``, or a transactional test, whose commits must be real).
"""

import datetime
import os
from pathlib import Path

import pytest

LANES = {
    "slurm": "needs the real single-node Slurm (scripts/slurm.sh); given to every test using `slurm_cluster`",
    "browser": "drives Debian's chromium through Playwright; given to every test using `browser`",
    "install": "installs the package into a fresh virtualenv",
}
MARKED_BY_FIXTURE = {"slurm_cluster": "slurm", "browser": "browser"}
CLOCK_SHIFT_ENV = "MESOCENTRE_TEST_CLOCK_SHIFT_DAYS"
CLOCK_DIR = Path(__file__).resolve().parents[2] / "tests" / "clock"
# The day the tests' hand-made worlds live in, whatever today is (their projects and allocations run through 2026).
WORLD_NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
# Tests do not need PBKDF2's million iterations: the demo's users are created with this hasher.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_addoption(parser) -> None:
    group = parser.getgroup("mesocentre")
    group.addoption("--fast", action="store_true", help=f"leave out the tests marked {', '.join(LANES)}")
    group.addoption(
        "--shift-clock",
        type=int,
        default=0,
        metavar="DAYS",
        help="run with the clock DAYS days ahead, here and in the Python processes the tests start",
    )


def pytest_configure(config) -> None:
    for lane, meaning in LANES.items():
        config.addinivalue_line("markers", f"{lane}: {meaning}")
    days = config.getoption("shift_clock")
    if days:
        shift_clock(days)
        os.environ[CLOCK_SHIFT_ENV] = str(days)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CLOCK_DIR), os.environ.get("PYTHONPATH")]))


def shift_clock(days: int) -> None:
    """Move this process's clock ``days`` ahead of the real one for good; it keeps ticking (a second still lasts a
    second). Counted from the real clock, so that a process started already shifted does not move twice."""
    import time_machine

    time_machine.travel(real_now() + datetime.timedelta(days=days), tick=True).start()


def real_now() -> datetime.datetime:
    """The real time, even while the clock is moved."""
    import time_machine

    hatch = time_machine.escape_hatch
    return hatch.datetime.datetime.now(datetime.UTC) if hatch.is_travelling() else datetime.datetime.now(datetime.UTC)


def pytest_report_header(config) -> str | None:
    days = config.getoption("shift_clock")
    return f"clock shifted {days} days ahead: today is {datetime.date.today()}" if days else None


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        for fixture, marker in MARKED_BY_FIXTURE.items():
            if fixture in item.fixturenames:
                item.add_marker(marker)
        if "demo" in item.fixturenames and not item.get_closest_marker("django_db") and not transactional(item):
            # The demo asks for `db` only when it runs: pytest-django must know beforehand that the test needs one.
            item.add_marker(pytest.mark.django_db)
    if config.getoption("fast"):
        kept = [item for item in items if not any(item.get_closest_marker(lane) for lane in LANES)]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


class SharedDemo:
    """The demo loaded in an open outer transaction, for as long as consecutive tests of a module want it.

    It opens just before a test's own transaction (so it nests inside the module's fixtures) and closes just after
    it when the next test does not want it or belongs to another module (so it closes before they do).
    """

    def __init__(self) -> None:
        self.atomic = None
        self.blocker = None
        self.next_item = None

    def open_for(self, request) -> None:
        if self.atomic is None and wants_shared_demo(request.node):
            self.open(request.getfixturevalue("django_db_blocker"))

    def close_after(self, item) -> None:
        following = self.next_item
        if self.atomic is not None and not (
            following and following.module is item.module and wants_shared_demo(following)
        ):
            self.close()

    def open(self, blocker) -> None:
        from django.db import transaction
        from django.test import override_settings

        from mesocentre.core.demo import load_demo

        self.blocker = blocker
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                load_demo()

    def close(self) -> None:
        from django.db import transaction

        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


def wants_shared_demo(item) -> bool:
    return "demo" in item.fixturenames and not transactional(item)


def transactional(node) -> bool:
    # As pytest-django decides it: the marker's `transaction`, or a fixture that needs real commits.
    marker = node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(node.fixturenames))


SHARED_DEMO = SharedDemo()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's million iterations cost half a second per demo user; tests don't need that strength.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem) -> None:
    SHARED_DEMO.next_item = nextitem


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request) -> None:
    if fixturedef.argname == "_django_db_helper":  # the test's own transaction is about to start
        SHARED_DEMO.open_for(request)


def pytest_fixture_post_finalizer(fixturedef, request) -> None:
    if fixturedef.argname == "_django_db_helper" and fixturedef.cached_result is not None:
        SHARED_DEMO.close_after(request.node)


@pytest.fixture
def demo(request):
    """The demo data of the service offer, loaded through the same loader as `mesocentre demo`: shared with the
    neighbouring tests in a transaction (see above), or loaded for this test alone when it commits for real."""
    if transactional(request.node):
        from mesocentre.core.demo import load_demo

        request.getfixturevalue("transactional_db")
        load_demo()
    else:
        request.getfixturevalue("db")
