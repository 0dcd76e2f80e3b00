# The world of projects' tests (an establishment, a laboratory, a project with its PI, an outsider).
from types import SimpleNamespace

import pytest

from mesocentre.capacity import demo as capacity_demo
from mesocentre.catalogue import demo as catalogue_demo
from mesocentre.catalogue.models import Plan
from mesocentre.core.testing import WORLD_NOW
from mesocentre.projects.models import ProjectMembership
from mesocentre.projects.tests.conftest import w  # noqa: F401
from mesocentre.tenancy.models import Team, TeamMembership


@pytest.fixture
def shop(w, user_factory):  # noqa: F811
    """The offer's catalogue and capacity beside the projects' world; the operator in the cloud and hosting teams,
    a second operator in none; the student a member of the project."""
    catalogue_demo.load(WORLD_NOW.date())
    capacity_demo.load(WORLD_NOW.date())
    x = SimpleNamespace(w=w)
    x.cloud, x.hosting = Team.standard("cloud"), Team.standard("hosting")
    TeamMembership.objects.create(team=x.cloud, user=w.operator)
    TeamMembership.objects.create(team=x.hosting, user=w.operator)
    x.other_operator = user_factory("op2", is_operator=True)
    ProjectMembership.objects.create(project=w.project, user=w.student, role=ProjectMembership.Role.MEMBER)
    plans = Plan.objects.select_related("offering")
    x.bronze = plans.get(offering__code="cloud-vm", code="bronze")
    x.silver = plans.get(offering__code="cloud-vm", code="silver")
    x.gold = plans.get(offering__code="cloud-vm", code="gold")
    x.storage = plans.get(offering__code="storage")
    x.rack = plans.get(offering__code="rack")
    x.firewall = plans.get(offering__code="firewall")
    x.hpc = plans.get(offering__code="hpc")
    return x
