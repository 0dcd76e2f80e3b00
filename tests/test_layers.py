"""The apps' layers (``[tool.importlinter]`` in pyproject.toml) hold, and no two apps import each other.

Static: grimp reads every import statement, function-level ones included, without running Django.
"""

import itertools
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = [
    "core",
    "audit",
    "tenancy",
    "catalogue",
    "capacity",
    "assistant",
    "provisioning",
    "metering",
    "projects",
    "resources",
    "hpc",
    "billing",
    "reports",
    "portal",
]


@pytest.fixture(scope="module")
def graph():
    """The package's imports, without the tests: a lower app's tests may use a higher app's rows."""
    graph = grimp.build_graph("mesocentre", cache_dir=None)
    for module in list(graph.modules):
        if ".tests." in f"{module}.":
            graph.remove_module(module)
    return graph


def test_the_layers_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_lists_every_app():
    # An app left out of the layers would be free to import anything, and anything to import it.
    contract = (ROOT / "pyproject.toml").read_text()
    layers = contract[contract.index("layers = [") : contract.index("]", contract.index("layers = ["))]
    listed = {name.strip(' "') for line in layers.splitlines()[1:] for name in line.strip(" ,").split("|")}
    apps = {path.parent.name for path in (ROOT / "mesocentre").glob("*/apps.py")}
    assert apps == set(APPS)
    assert listed == apps


@pytest.mark.parametrize("first, second", list(itertools.combinations(APPS, 2)))
def test_no_two_apps_import_each_other(graph, first, second):
    a, b = f"mesocentre.{first}", f"mesocentre.{second}"
    there = graph.find_shortest_chain(importer=a, imported=b, as_packages=True)
    back = graph.find_shortest_chain(importer=b, imported=a, as_packages=True)
    assert not (there and back), f"{' -> '.join(there)} and back: {' -> '.join(back)}"


@pytest.mark.parametrize(
    "importer, imported",
    [
        # The notices are sent by the verbs, never the reverse (the models do not reach the verbs either).
        ("mesocentre.hpc.notifications", "mesocentre.hpc.services"),
        ("mesocentre.projects.models", "mesocentre.hpc.services"),
        # The queue's Slurm driver runs the reconciliation; the reconciliation converges without the driver.
        ("mesocentre.provisioning.slurm.reconcile", "mesocentre.provisioning.drivers.slurm"),
        ("mesocentre.provisioning.slurm.adoption", "mesocentre.provisioning.drivers.slurm"),
    ],
)
def test_these_modules_do_not_reach_back(graph, importer, imported):
    assert graph.find_shortest_chain(importer=importer, imported=imported) is None
