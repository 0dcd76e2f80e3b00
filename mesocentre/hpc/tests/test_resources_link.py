"""An allocation is also a resource of the HPC offering: the committee's decision, its changes and its end are the
resource's periods; hours ordered outside the calls become an allocation through the same Slurm path."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mesocentre.hpc import holdings, ordering, services
from mesocentre.hpc.models import Allocation, ChangeRequest
from mesocentre.provisioning.execution import end_operation
from mesocentre.provisioning.models import Operation
from mesocentre.resources import orders
from mesocentre.resources.models import Order, Resource, ResourcePeriod
from mesocentre.resources.tests.conftest import shop  # noqa: F401
from mesocentre.tenancy.models import Laboratory, Membership, Team, TeamMembership

migration = importlib.import_module("mesocentre.hpc.migrations.0004_allocations_resources")
HOUR = datetime.timedelta(hours=1)


def held_at(allocation, moment):
    return ResourcePeriod.objects.filter(resource_id=allocation.resource_id).held_at(moment)


def end(operation, done=True):
    """The worker's end of ``operation``, as it records it (the outcome handlers in its transaction)."""
    fence = Operation.objects.filter(pk=operation.pk, state=operation.state)
    assert end_operation(fence, operation, done=done, result={"account": operation.target["account"]})


def test_a_decision_makes_the_allocations_resource_with_its_first_period(shop, decided):  # noqa: F811
    resource = decided.resource
    assert resource.offering.code == "hpc" and resource.project == shop.w.project
    assert (resource.state, resource.backend, resource.backend_id) == (Resource.State.OK, "slurm", "jets")
    start = holdings.midnight(datetime.date(2026, 1, 1))
    assert start.utcoffset() == datetime.timedelta(hours=1)  # midnight in Paris, in winter
    [period] = held_at(decided, start)
    assert (period.plan, period.valid_from, period.valid_until) == (shop.hpc, start, None)
    assert period.quantities == {"core_hours": "100000", "gpu_hours": "500"}
    assert not held_at(decided, start - datetime.timedelta(seconds=1)).exists()


def test_without_an_hpc_offering_the_link_stays_empty(decided):
    assert decided.resource is None and not Resource.objects.exists()


def test_more_hours_open_a_new_period_an_extension_none(shop, decided):  # noqa: F811
    w = shop.w
    with transaction.atomic():
        more = services.request_change(
            w.pi, decided, change_type="more_hours", extra_cpu_core_hours=20_000, justification="More runs."
        )
    services.approve_change_request(w.operator, more)
    now = timezone.now()
    [period] = held_at(decided, now)
    assert period.quantities == {"core_hours": "120000", "gpu_hours": "500"}
    assert now - period.valid_from < datetime.timedelta(minutes=1)  # from the approval
    [before] = held_at(decided, period.valid_from - datetime.timedelta(seconds=1))
    assert before.quantities == {"core_hours": "100000", "gpu_hours": "500"}
    assert before.valid_until == period.valid_from

    with transaction.atomic():
        longer = services.request_change(
            w.pi, decided, change_type="extension", new_ends_on=datetime.date(2027, 3, 31), justification="Late."
        )
    services.approve_change_request(w.operator, longer)
    assert ResourcePeriod.objects.filter(resource_id=decided.resource_id).count() == 2  # the hours did not change


def test_expiry_ends_the_resource_and_a_resumed_allocation_gets_a_new_one(shop, decided):  # noqa: F811
    w = shop.w
    first = decided.resource
    services.expire_allocation(w.operator, decided)
    first.refresh_from_db()
    assert first.state == Resource.State.TERMINATED
    [period] = first.periods.all()
    assert period.valid_until is not None and timezone.now() - period.valid_until < datetime.timedelta(minutes=1)

    allocation = services.set_allocation_status(w.operator, decided, Allocation.Status.ACTIVE)
    allocation.refresh_from_db()
    assert allocation.resource != first and allocation.resource.state == Resource.State.OK
    [again] = allocation.resource.periods.all()
    assert again.valid_from >= period.valid_until and again.valid_until is None


def test_a_scheduled_allocations_period_takes_more_hours_in_place_and_goes_if_it_never_began(shop):  # noqa: F811
    w = shop.w
    with transaction.atomic():
        request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=50_000, justification="Runs.")
        allocation = services.decide(
            w.operator,
            request,
            cpu_core_hours=40_000,
            reason="Budget.",
            starts_on=datetime.date(2026, 9, 1),
            ends_on=datetime.date(2027, 8, 31),
        )
        more = services.request_change(
            w.pi, allocation, change_type="more_hours", extra_cpu_core_hours=5_000, justification="More."
        )
    services.approve_change_request(w.operator, more)
    [period] = allocation.resource.periods.all()
    assert period.quantities == {"core_hours": "45000"}  # no GPU hours: not held
    assert period.valid_from == holdings.midnight(datetime.date(2026, 9, 1))
    services.expire_allocation(w.operator, allocation)
    resource = Resource.objects.get(pk=allocation.resource_id)
    assert resource.state == Resource.State.TERMINATED and not resource.periods.exists()


@pytest.fixture
def company(shop, user_factory):  # noqa: F811
    """A company's project (its R&D laboratory, its engineer as PI) and the operator in the compute team."""
    w = shop.w
    rnd = Laboratory.objects.create(code="rnd", name="R&D", theme=w.theme)
    rnd.establishments.set([w.company])
    engineer = user_factory("engineer", unix_login="eng", charter_accepted_at=timezone.now())
    Membership.objects.create(user=engineer, establishment=w.company, laboratory=rnd)
    project = services.create_project(
        w.operator,
        pi=engineer,
        code="acme-cfd",
        title="CFD",
        laboratory=rnd,
        paying_establishment=w.company,
        theme=w.theme,
        starts_on=datetime.date(2026, 6, 1),
    )
    TeamMembership.objects.create(team=Team.standard("compute"), user=w.operator)
    shop.engineer, shop.project = engineer, project
    return shop


HOURS = {"core_hours": 50_000, "gpu_hours": 100}


def test_a_companys_order_grants_an_allocation_through_the_slurm_path(company):
    x = company
    order = orders.place(x.engineer, x.project, "create", plan=x.hpc, quantities=HOURS, name="cfd-hours")
    assert order.state == Order.State.PENDING_PROVIDER
    order = orders.approve(order, x.w.operator)

    # In the approval's transaction: the allocation, linked to the order's resource, and the account's target.
    assert order.state == Order.State.EXECUTING
    allocation = Allocation.objects.get(project=x.project)
    assert allocation.resource == order.resource and allocation.decision is None
    assert (allocation.cpu_core_hours, allocation.gpu_hours) == (50_000, 100)
    assert (allocation.starts_on, allocation.ends_on) == (datetime.date(2026, 6, 15), datetime.date(2027, 6, 14))
    operation = order.operation
    assert (operation.backend, operation.resource_type, operation.resource_key) == (
        "slurm",
        "account",
        "mesocentre:acme-cfd",
    )
    assert operation.target["limits"] == {"cpu": 3_000_000, "gres/gpu": 6_000}
    assert operation.target["state"] == "active" and operation.target["users"] == ["eng"]
    resource = Resource.objects.get(pk=order.resource_id)
    assert (resource.state, resource.backend, resource.backend_id) == (Resource.State.CREATING, "slurm", "acme-cfd")
    assert not resource.periods.exists()  # the order's outcome opens it, once

    # A member added meanwhile supersedes the target: its end ends the order all the same.
    with transaction.atomic():
        services.add_member(x.engineer, x.project, x.w.pi)
    newer = Operation.objects.get(resource_key="mesocentre:acme-cfd", state=Operation.State.PENDING)
    assert newer.pk != operation.pk
    end(newer)
    order.refresh_from_db()
    resource.refresh_from_db()
    assert order.state == Order.State.DONE and resource.state == Resource.State.OK
    [period] = resource.periods.all()
    assert period.plan == x.hpc and period.quantities == {"core_hours": "50000", "gpu_hours": "100"}
    assert list(ResourcePeriod.objects.held_at(timezone.now()).filter(resource=resource)) == [period]

    # More hours: an approved change request of the allocation, and the order's outcome opens the new period.
    more = orders.place(x.engineer, x.project, "update", resource=resource, quantities={"core_hours": 80_000})
    more = orders.approve(more, x.w.operator)
    change = ChangeRequest.objects.get(allocation=allocation)
    assert (change.status, change.extra_cpu_core_hours, change.extra_gpu_hours) == ("approved", 30_000, 0)
    assert more.operation.target["limits"]["cpu"] == 80_000 * 60
    end(more.operation)
    assert [p.quantities["core_hours"] for p in resource.periods.order_by("valid_from")] == ["50000", "80000"]

    # Terminated: the allocation expires, the limits drop to 0, and the outcome ends the resource.
    gone = orders.approve(orders.place(x.engineer, x.project, "terminate", resource=resource), x.w.operator)
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.EXPIRED
    assert gone.operation.target["state"] == "suspended"
    end(gone.operation)
    resource.refresh_from_db()
    assert resource.state == Resource.State.TERMINATED
    assert not ResourcePeriod.objects.held_at(timezone.now()).filter(resource=resource).exists()


def test_an_order_and_its_allocation_roll_back_together(company, monkeypatch):
    x = company
    order = orders.place(x.engineer, x.project, "create", plan=x.hpc, quantities=HOURS, name="cfd-hours")

    def refused(*args, **kwargs):
        raise ValidationError({"slurm": "Slurm would refuse it."})

    monkeypatch.setattr(ordering, "_push_to_slurm", refused)
    with pytest.raises(ValidationError):
        orders.approve(order, x.w.operator)
    order.refresh_from_db()
    assert order.state == Order.State.PENDING_PROVIDER
    assert not Allocation.objects.filter(project=x.project).exists() and not Resource.objects.exists()


def test_hours_are_ordered_whole(company):
    x = company
    with pytest.raises(ValidationError, match="core_hours: a whole number"):
        orders.place(x.engineer, x.project, "create", plan=x.hpc, quantities={"core_hours": "10.5"}, name="h")
    assert not Order.objects.exists()


def test_a_year_from_a_day():
    assert ordering.a_year_from(datetime.date(2026, 6, 15)) == datetime.date(2027, 6, 14)
    assert ordering.a_year_from(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_the_data_migration_makes_the_resources_of_existing_allocations(shop):  # noqa: F811
    w = shop.w
    # Rows as they were before the link: made without the verbs.
    running = Allocation.objects.create(
        project=w.project,
        cpu_core_hours=1_000,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    more = ChangeRequest.objects.create(
        allocation=running, change_type="more_hours", extra_cpu_core_hours=500, justification="More."
    )
    more.status = ChangeRequest.Status.APPROVED
    more.save()
    approved_at = more.last_updated
    ended = Allocation.objects.create(
        project=w.project,
        cpu_core_hours=2_000,
        gpu_hours=10,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        status=Allocation.Status.EXPIRED,
        expired_on=datetime.date(2026, 1, 3),
    )
    assert not Resource.objects.exists()

    migration.forward(apps, None)
    running.refresh_from_db()
    ended.refresh_from_db()
    assert running.resource.state == Resource.State.OK and running.resource.backend_id == "jets"
    periods = list(running.resource.periods.order_by("valid_from"))
    assert [(p.valid_from, p.valid_until, p.quantities) for p in periods] == [
        (holdings.midnight(datetime.date(2026, 1, 1)), approved_at, {"core_hours": "1000"}),
        (approved_at, None, {"core_hours": "1500"}),
    ]
    assert ended.resource.state == Resource.State.TERMINATED
    [period] = ended.resource.periods.all()
    assert (period.valid_from, period.valid_until) == (
        holdings.midnight(datetime.date(2025, 1, 1)),
        holdings.midnight(datetime.date(2026, 1, 1)),
    )
    assert period.quantities == {"core_hours": "2000", "gpu_hours": "10"}

    migration.forward(apps, None)  # linked rows are left alone
    assert Resource.objects.count() == 2
    migration.backward(apps, None)
    assert not Resource.objects.exists() and not Allocation.objects.filter(resource__isnull=False).exists()


def test_the_data_migration_without_an_hpc_offering_leaves_the_links_empty(w):
    Allocation.objects.create(
        project=w.project,
        cpu_core_hours=1_000,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    migration.forward(apps, None)
    assert not Resource.objects.exists()


def test_an_adopted_accounts_allocation_is_held_from_the_day_of_the_import(shop):  # noqa: F811
    from mesocentre.hpc import adoption
    from mesocentre.provisioning.slurm.adoption import ExistingAccount

    w = shop.w
    existing = ExistingAccount(account="jets", parent="cnrs", depth=2, limits={"cpu": 600_000, "gres/gpu": 0})
    today = datetime.date(2026, 6, 15)
    adoption._allocation("mesocentre", w.project, existing, today, datetime.date(2027, 6, 14), adoption._Report())
    allocation = Allocation.objects.get(project=w.project)
    assert allocation.resource.state == Resource.State.OK and allocation.resource.backend_id == "jets"
    [period] = held_at(allocation, timezone.now())
    assert period.quantities == {"core_hours": "10000"} and period.valid_from == holdings.midnight(today)


def test_an_erred_order_of_hours_cancelled_leaves_no_hours_in_slurm(company):
    x = company
    order = orders.approve(
        orders.place(x.engineer, x.project, "create", plan=x.hpc, quantities=HOURS, name="h"), x.w.operator
    )
    end(order.operation, done=False)  # failed for good
    order.refresh_from_db()
    assert order.state == Order.State.ERRED
    allocation = Allocation.objects.get(project=x.project)
    assert allocation.status == Allocation.Status.ACTIVE

    orders.cancel(order, x.w.operator, "The cluster was retired.")
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.EXPIRED
    assert Resource.objects.get(pk=order.resource_id).state == Resource.State.TERMINATED
    target = Operation.objects.get(resource_key="mesocentre:acme-cfd", state=Operation.State.PENDING).target
    assert target["state"] == "suspended"


def test_hours_not_begun_are_terminated_by_order_and_leave_no_period(company):
    x = company
    order = orders.approve(
        orders.place(x.engineer, x.project, "create", plan=x.hpc, quantities=HOURS, name="h"), x.w.operator
    )
    end(order.operation)
    resource = Resource.objects.get(pk=order.resource_id)
    period = resource.periods.get()
    ResourcePeriod.objects.filter(pk=period.pk).update(valid_from=timezone.now() + datetime.timedelta(days=30))
    gone = orders.approve(orders.place(x.engineer, x.project, "terminate", resource=resource), x.w.operator)
    end(gone.operation)
    resource.refresh_from_db()
    gone.refresh_from_db()
    assert gone.state == Order.State.DONE and resource.state == Resource.State.TERMINATED
    assert not resource.periods.exists(), "hours that never began were never held"


def test_orders_waiting_on_hours_that_expire_are_cancelled_with_the_reason(company):
    x = company
    order = orders.approve(
        orders.place(x.engineer, x.project, "create", plan=x.hpc, quantities=HOURS, name="h"), x.w.operator
    )
    end(order.operation)
    resource = Resource.objects.get(pk=order.resource_id)
    more = orders.place(x.engineer, x.project, "update", resource=resource, quantities={"core_hours": 90_000})
    assert more.state == Order.State.PENDING_PROVIDER
    services.expire_allocation(x.w.operator, Allocation.objects.get(resource=resource))
    more.refresh_from_db()
    resource.refresh_from_db()
    assert resource.state == Resource.State.TERMINATED
    assert more.state == Order.State.CANCELLED and "expired" in more.reason
