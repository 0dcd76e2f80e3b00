"""Orders against real processes on PostgreSQL: two orders racing for the last of a quota, and a worker killed while
the backend makes a resource."""

import datetime
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from mesocentre.capacity import demo as capacity_demo
from mesocentre.catalogue import demo as catalogue_demo
from mesocentre.catalogue.models import Offering, Plan
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.tests.conftest import start_worker, worker_env
from mesocentre.provisioning.tests.test_workers import finish, wait_for
from mesocentre.resources import orders
from mesocentre.resources.models import Order, Quota, Resource
from mesocentre.resources.tests.drivers import HANG_ENV, VM_BACKEND
from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme, Team, TeamMembership

pytestmark = pytest.mark.django_db(transaction=True)

# A process that waits for a file, then places a 6-vCPU bronze VM order as the PI; prints the outcome.
PLACE = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
django.setup()
from django.core.exceptions import ValidationError
from mesocentre.catalogue.models import Plan
from mesocentre.projects.models import Project
from mesocentre.resources import orders
from mesocentre.tenancy.models import User
gate, name = sys.argv[1], sys.argv[2]
project, pi = Project.objects.get(code="race"), User.objects.get(username="pi")
plan = Plan.objects.get(offering__code="cloud-vm", code="bronze")
while not os.path.exists(gate):
    time.sleep(0.01)
try:
    order = orders.place(pi, project, "create", plan=plan, quantities={"vcpu": 6, "ram_gb": 4, "disk_gb": 50}, name=name)
    print("placed", order.pk)
except ValidationError as refusal:
    print("refused", " ".join(refusal.message_dict["quantities"]))
"""


@pytest.fixture
def world(db):
    catalogue_demo.load(datetime.date(2026, 6, 15))
    capacity_demo.load(datetime.date(2026, 6, 15))
    from mesocentre.tenancy.models import User

    theme = ScientificTheme.objects.create(code="fluids", name="Fluids")
    univ = Establishment.objects.create(code="univ", name="University", kind="university")
    lab = Laboratory.objects.create(code="lab", name="Lab", theme=theme)
    lab.establishments.set([univ])
    pi = User.objects.create(username="pi", password="!")
    operator = User.objects.create(username="op", password="!", is_operator=True)
    TeamMembership.objects.create(team=Team.standard("cloud"), user=operator)
    project = Project.objects.create(
        code="race",
        title="Race",
        laboratory=lab,
        paying_establishment=univ,
        theme=theme,
        starts_on=datetime.date(2026, 1, 1),
    )
    ProjectMembership.objects.create(project=project, user=pi, role="pi")
    return project, lab, pi, operator


def test_two_orders_racing_for_the_last_of_a_quota_one_is_refused(world, tmp_path: Path):
    project, lab, _pi, _operator = world
    Quota.objects.create(laboratory=lab, dimension="vcpu", limit=8)  # room for one 6-vCPU VM, not two
    gate = tmp_path / "go"
    env = worker_env()
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", PLACE, str(gate), name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    time.sleep(1.5)  # both have started Django and wait at the gate
    gate.touch()
    outputs = sorted(finish(racer) for racer in racers)
    assert [line.split()[0] for line in outputs] == ["placed", "refused"], outputs
    assert "the laboratory lab has 6 of its 8 vCPU in use or ordered; this order needs 6" in outputs[1]
    assert Order.objects.filter(project=project).count() == 1


def test_the_backends_outcome_is_written_back_by_the_worker_and_nothing_when_it_is_killed(world):
    project, _lab, pi, operator = world
    Offering.objects.filter(code="cloud-vm").update(backend=VM_BACKEND)
    plan = Plan.objects.get(offering__code="cloud-vm", code="gold")
    with transaction.atomic():
        order = orders.place(
            pi, project, "create", plan=plan, quantities={"vcpu": 2, "ram_gb": 4, "disk_gb": 50}, name="web"
        )
        order = orders.approve(order, operator)
    assert order.state == Order.State.EXECUTING
    env = worker_env(MESOCENTRE_EXTRA_DRIVERS="mesocentre.resources.tests.drivers")
    doomed = start_worker("doomed", "--once", env={**env, HANG_ENV: "3600"})
    wait_for(lambda: Operation.objects.filter(pk=order.operation_id, claimed_by="doomed").exists())
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    order.refresh_from_db()
    resource = Resource.objects.get(pk=order.resource_id)
    assert order.state == Order.State.EXECUTING and resource.state == Resource.State.CREATING
    assert resource.backend_id == "" and not resource.periods.exists(), "nothing of a killed attempt is written"

    operation = Operation.objects.get(pk=order.operation_id)
    time.sleep(max(0.0, (operation.lease_expires_at - timezone.now()).total_seconds()) + 0.2)
    finish(start_worker("rescuer", "--once", env={**env, HANG_ENV: "0"}))
    order.refresh_from_db()
    resource.refresh_from_db()
    assert order.state == Order.State.DONE and order.finished_at is not None
    assert (resource.state, resource.backend_id, resource.address, resource.host) == (
        Resource.State.OK,
        f"vm-resource-{resource.pk}",
        "10.1.2.3",
        "node-7",
    )
    [period] = resource.periods.all()
    assert period.plan == plan and period.quantities == {"disk_gb": "50", "ram_gb": "4", "vcpu": "2"}
