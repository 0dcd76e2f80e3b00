"""The demo's resources: every offering on sale held, histories with a resize and a change of tier, racks in two PODs,
both queues with an order, made through the orders' services and loaded again without a change."""

import datetime
import io
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from mesocentre.catalogue.models import Offering
from mesocentre.core.actor import acting_as
from mesocentre.core.demo import demo_modules, load_demo
from mesocentre.core.models import DemoState
from mesocentre.hpc.tests.test_demo import snapshot
from mesocentre.projects.models import Project
from mesocentre.provisioning import services as provisioning
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.resources import demo as resources_demo
from mesocentre.resources import orders, quotas
from mesocentre.resources.models import Order, Quota, RackReservation, Resource, ResourcePeriod
from mesocentre.tenancy.models import User


def do_by_hand(order, operator) -> None:
    """The worker hands this order's operation over (the demo's Slurm operations wait for their cluster and would be
    claimed again and again), and the operator completes the task."""
    others = Operation.objects.exclude(pk=order.operation_id).values_list("pk", flat=True)
    operation = provisioning.claim_next("test-worker", exclude=list(others))
    assert operation.pk == order.operation_id
    provisioning.run_operation(operation, "test-worker")
    task = ManualTask.objects.get(operation=operation, status=ManualTask.Status.OPEN)
    provisioning.complete_manual_task(task, operator, True, "Done.", backend_id="gone")


def test_the_resources_demo_loads_after_the_demo_that_makes_the_projects():
    names = [module.__name__ for module in demo_modules()]
    assert names.index("mesocentre.resources.demo") > names.index("mesocentre.hpc.demo")
    assert names.index("mesocentre.hpc.demo") > names.index("mesocentre.tenancy.demo")


def test_every_offering_on_sale_but_hpc_and_gpu_bookings_is_held(demo):
    on_sale = Offering.objects.filter(status=Offering.Status.AVAILABLE).exclude(
        kind__in=[Offering.Kind.HPC, Offering.Kind.GPU_BOOKING]
    )
    assert set(on_sale.values_list("code", flat=True)) == {"cloud-vm", "storage", "backup", "rack", "firewall"}
    for offering in on_sale:
        assert Resource.objects.filter(offering=offering, state=Resource.State.OK).exists(), offering.code
    assert not Resource.objects.filter(offering__code="database").exists(), "the planned offering is not on sale"
    vms = ResourcePeriod.objects.filter(valid_until__isnull=True, resource__offering__code="cloud-vm")
    assert set(vms.values_list("plan__code", flat=True)) == {"bronze", "silver", "gold"}


def test_each_resource_came_through_an_order_its_operation_and_its_manual_task(demo):
    now = timezone.now()
    # The HPC allocations' resources come from the committee's decisions (hpc's demo), not from orders.
    for resource in Resource.objects.exclude(offering__kind="hpc"):
        created = resource.orders.get(type=Order.Type.CREATE)
        assert created.state == Order.State.DONE and created.provider_reviewed_by.username == "operator"
        for order in resource.orders.all():
            assert order.state == Order.State.DONE and order.finished_at < now
            assert order.operation.state == Operation.State.DONE
            task = ManualTask.objects.get(operation=order.operation)
            assert task.status == ManualTask.Status.DONE and task.backend_id == resource.backend_id
        first = resource.periods.order_by("valid_from").first()
        assert first.valid_from == created.finished_at < now
    assert not Operation.objects.filter(backend="manual").exclude(state=Operation.State.DONE).exists()


def test_a_vm_was_resized_then_moved_from_silver_to_gold(demo):
    vm = Resource.objects.get(project__code="irit-hybrid-ai", name="inference-api")
    created, resized, moved = vm.periods.order_by("valid_from")
    today = timezone.localdate()
    assert created.valid_from.date() < today - datetime.timedelta(days=100), "created months ago"
    assert datetime.timedelta(days=14) < resized.valid_from - created.valid_from < datetime.timedelta(days=35)
    assert resized.valid_from < moved.valid_from < timezone.now()
    periods = ResourcePeriod.objects.filter(resource=vm)
    at = periods.held_at(created.valid_from + datetime.timedelta(days=1)).get()
    assert (at.plan.code, at.quantities["vcpu"]) == ("silver", "4")
    at = periods.held_at(resized.valid_from + datetime.timedelta(days=1)).get()
    assert (at.plan.code, at.quantities["vcpu"]) == ("silver", "8")
    at = periods.held_at(timezone.now()).get()
    assert (at.plan.code, at.quantities) == ("gold", {"disk_gb": "100", "ram_gb": "16", "vcpu": "8"})
    assert [o.type for o in vm.orders.order_by("pk")] == ["create", "update", "update"]


def test_two_hosted_racks_in_different_pods(demo):
    reservations = RackReservation.objects.filter(released_at__isnull=True).select_related("rack__pod", "resource")
    assert reservations.count() == 2
    assert {r.rack.pod.code for r in reservations} == {"pod1", "pod2"}
    for reservation in reservations:
        assert (reservation.units, reservation.power_kw) == (42, Decimal("7.00"))
        assert reservation.resource.backend_id == str(reservation.rack)


def test_the_queues_have_an_order_and_the_quota_its_refusal(demo):
    pending = Order.objects.filter(state__in=Order.PENDING)
    student = pending.get(state=Order.State.PENDING_CONSUMER)
    assert (student.project.code, student.created_by.username) == ("irit-hybrid-ai", "member-irit")
    assert orders.may_approve(User.objects.get(username="pi-irit"), student)
    team = pending.get(state=Order.State.PENDING_PROVIDER)
    assert orders.may_approve(User.objects.get(username="operator"), team)

    quota = Quota.objects.get(laboratory__code="irit", dimension="vcpu")
    assert (quota.limit, quotas.in_use(quota)) == (64, 56), "48 held, 8 asked by the student"
    irit = Project.objects.get(code="irit-hybrid-ai")
    try:
        orders.place(
            User.objects.get(username="pi-irit"),
            irit,
            "create",
            plan=student.plan,
            quantities={"vcpu": 16, "ram_gb": 32, "disk_gb": 50},
            name="too-big",
        )
    except ValidationError as refused:
        assert "56 of its 64 vCPU" in str(refused)
    else:
        raise AssertionError("the laboratory's quota refuses 16 more vCPU")


def test_loading_again_creates_nothing(demo):
    before = snapshot()
    started = time.monotonic()
    resources_demo.load(DemoState.objects.get().first_loaded_on)
    assert time.monotonic() - started < 2
    load_demo()
    assert snapshot() == before


def test_loading_again_after_use_leaves_what_users_did(demo):
    """The student's order rejected, the team's cancelled, a VM terminated, a rack resized, the operator out of the
    cloud team: a later load neither fails nor undoes any of it."""
    operator, pi = User.objects.get(username="operator"), User.objects.get(username="pi-irit")
    orders.reject(Order.objects.get(state=Order.State.PENDING_CONSUMER), pi, "Use the shared runner.")
    orders.cancel(Order.objects.get(state=Order.State.PENDING_PROVIDER), operator, "Ordered twice.")
    runner = Resource.objects.get(name="gitlab-runner")
    terminate = orders.approve(orders.place(pi, runner.project, "terminate", resource=runner), operator)
    do_by_hand(terminate, operator)
    operator.team_memberships.filter(team__code="cloud").delete()

    before = snapshot()
    load_demo()
    assert snapshot() == before
    assert Resource.objects.get(pk=runner.pk).state == Resource.State.TERMINATED


def test_the_resources_load_on_a_fresh_demo_with_nothing_left_out(db):
    """The rest of the demo loaded, then the resources' part alone (its time is printed, not asserted: speed is
    for benchmarks)."""
    day = timezone.localdate()
    with acting_as(None, "demo loader"):
        for module in demo_modules():
            if module is not resources_demo:
                module.load(day)
        started = time.monotonic()
        resources_demo.load(day, out := io.StringIO())
        elapsed = time.monotonic() - started
    assert "left out" not in out.getvalue(), out.getvalue()
    assert Resource.objects.exclude(offering__kind="hpc").count() == len(resources_demo.HELD)
    print(f"the resources' demo took {elapsed:.1f} s")
