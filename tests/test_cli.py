"""`mesocentre help`: the platform's verbs first, by domain, each with its line; Django's and the others' below."""

import pytest
from django.apps import apps
from django.core.management import get_commands, load_command_class

from mesocentre.cli import main

OURS = {  # command: the app it belongs to
    "demo": "core",
    "users": "tenancy",
    "assistant": "assistant",
    "quote": "billing",
    "invoices": "billing",
    "report": "reports",
    "budgets": "billing",
    "slurm": "provisioning",
    "worker": "provisioning",
    "tasks": "provisioning",
    "metering": "metering",
    "usage": "metering",
    "orders": "resources",
    "resources": "resources",
    "capacity": "resources",  # the occupancy sums the VMs' placements, which are the resources'
    "vm": "resources",
    "hpc": "hpc",
    "projects": "hpc",  # the former name of hpc, for one release
}


def lines_of(capsys, argv) -> list[str]:
    main(argv)
    return capsys.readouterr().out.splitlines()


def section(lines: list[str], heading: str) -> list[str]:
    """The indented lines under ``heading``, up to the next heading at its level or above."""
    start = lines.index(heading) + 1
    depth = len(heading) - len(heading.lstrip())
    rest = lines[start:]
    end = next((i for i, line in enumerate(rest) if line.strip() and len(line) - len(line.lstrip()) <= depth), None)
    return [line.strip() for line in rest[:end] if line.strip()]


@pytest.mark.parametrize("argv", [[], ["help"], ["--help"]])
def test_the_platforms_verbs_come_first_grouped_by_domain(capsys, argv):
    lines = lines_of(capsys, argv)
    ours, theirs = lines.index("The platform's commands:"), lines.index("Django's and the other packages' commands:")
    assert ours < theirs
    names = [line.split()[0] for line in lines[ours + 1 : theirs] if line.startswith("    ")]
    assert sorted(names) == sorted(OURS)
    assert set(OURS) == {name for name, app in get_commands().items() if app.startswith("mesocentre.")}
    for name, label in OURS.items():
        config = apps.get_app_config(label)
        under = section(lines[ours:theirs], f"  {config.verbose_name}")
        line = next(line for line in under if line.split()[0] == name)
        summary = str(load_command_class(config.name, name).help).strip().split("\n")[0]
        assert line.split(None, 1)[1] == summary
    # The domains in the order of the layers, bottom up (INSTALLED_APPS): core's demo before HPC's chores.
    assert names.index("demo") < names.index("users") < names.index("worker") < names.index("hpc")


def test_django_and_third_parties_are_listed_below_by_package(capsys):
    lines = lines_of(capsys, ["help"])
    theirs = lines.index("Django's and the other packages' commands:")
    below = lines[theirs:]
    assert "migrate" in section(below, "  [django]")
    assert "createsuperuser" in section(below, "  [auth]")
    assert "axes_reset" in section(below, "  [axes]")
    assert not set(OURS) & {line.strip() for line in below}


def test_help_of_one_command_is_djangos(capsys):
    main(["help", "quote"])
    out = capsys.readouterr().out
    assert out.startswith("usage: mesocentre quote")
    assert "--skip-checks" in out  # Django's own options of every command
    assert "The platform's commands:" not in out
