"""The test session's own machinery (mesocentre/core/testing.py): lanes, the shifted clock, the shared demo."""

import datetime
import re
import textwrap

import pytest
from django.db import connection

from mesocentre.core.testing import real_now
from mesocentre.projects.models import Project

INNER_CONFTEST = """
    import pytest

    pytest_plugins = ["mesocentre.core.testing"]

    @pytest.fixture
    def slurm_cluster():
        return "cluster"

    @pytest.fixture
    def browser():
        return "chromium"
"""
INNER_TESTS = """
    import datetime, subprocess, sys

    import pytest

    def test_plain():
        pass

    def test_on_slurm(slurm_cluster):
        pass

    def test_in_the_browser(browser):
        pass

    @pytest.mark.install
    def test_installed():
        pass

    def test_the_clock_is_shifted_here_and_in_processes_started():
        child = subprocess.run([sys.executable, "-c", "import datetime; print(datetime.date.today())"],
                               capture_output=True, text=True, check=True)
        print("TODAY", datetime.date.today(), "CHILD", child.stdout.strip())
"""


@pytest.fixture
def inner(pytester):
    pytester.makeconftest(textwrap.dedent(INNER_CONFTEST))
    pytester.makepyfile(test_inner=textwrap.dedent(INNER_TESTS))
    return pytester


def test_a_test_using_slurm_or_the_browser_is_marked_so_and_fast_leaves_them_out(inner):
    inner.runpytest_subprocess("-m", "slurm").assert_outcomes(passed=1, deselected=4)
    inner.runpytest_subprocess("-m", "browser").assert_outcomes(passed=1, deselected=4)
    fast = inner.runpytest_subprocess("--fast", "-v")
    fast.assert_outcomes(passed=2, deselected=3)
    fast.stdout.fnmatch_lines(["*test_plain PASSED*", "*test_the_clock_is_shifted*PASSED*"])


def test_shift_clock_moves_the_tests_and_the_python_processes_they_start(inner):
    result = inner.runpytest_subprocess("--shift-clock=400", "-s", "-k", "clock")
    result.assert_outcomes(passed=1)
    [line] = [line for line in result.outlines if "TODAY" in line]
    today, child = re.search(r"TODAY (\S+) CHILD (\S+)", line).groups()
    ahead = real_now().date() + datetime.timedelta(days=400)  # this session may run shifted too
    assert abs((datetime.date.fromisoformat(today) - ahead).days) <= 1
    assert child == today


# The shared demo: consecutive tests see the same load (the same rows), and none sees another's changes.
SEEN = {}


def test_the_demo_is_loaded_once_for_neighbouring_tests(demo):
    SEEN["pks"] = sorted(Project.objects.values_list("pk", flat=True))
    Project.objects.filter(code="imft-jets").update(title="Changed by a test")


def test_the_next_test_shares_that_load_without_the_previous_tests_changes(demo):
    assert sorted(Project.objects.values_list("pk", flat=True)) == SEEN["pks"], "the same rows: loaded once"
    assert Project.objects.get(code="imft-jets").title == "Turbulent jets in combustion chambers"


def test_a_test_without_the_demo_does_not_see_it(db):
    assert not Project.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_gets_a_demo_of_its_own_committed_for_real(demo):
    assert Project.objects.exclude(status="closed").count() == 8  # and 2018's, closed since
    assert not connection.in_atomic_block, "no shared transaction around it: what it writes is committed"
