"""Orders: their table of states, who may move them, and what they do to resources and the queue."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mesocentre.catalogue.models import Offering
from mesocentre.provisioning import services as provisioning
from mesocentre.provisioning.models import ManualTask, Operation
from mesocentre.resources import orders
from mesocentre.resources.models import Order, RackReservation, Resource, ResourcePeriod

VM = {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}


def work_through(operator):
    """The worker hands each queued manual operation to its team; the operator does every open task."""
    while (operation := provisioning.claim_next("test-worker")) is not None:
        provisioning.run_operation(operation, "test-worker")
    for task in ManualTask.objects.filter(status=ManualTask.Status.OPEN):
        provisioning.complete_manual_task(task, operator, True, "Done.", backend_id=f"id-{task.operation_id}")


def test_each_state_goes_only_where_the_table_says():
    order = Order()
    states = [s.value for s in Order.State]
    for old in states:
        for new in states:
            order.state = old
            if new in Order.TRANSITIONS[old]:
                order.set_state(new)
                assert order.state == new
            else:
                with pytest.raises(ValidationError) as refused:
                    order.set_state(new)
                assert "state" in refused.value.message_dict and order.state == old
    for end in (Order.State.DONE, Order.State.REJECTED, Order.State.CANCELLED):
        assert Order.TRANSITIONS[end] == frozenset()


def test_a_members_vm_goes_through_both_approvals_to_a_first_period(shop):
    w = shop.w
    order = orders.place(w.student, w.project, "create", plan=shop.gold, quantities=VM, name="web")
    assert order.state == Order.State.PENDING_CONSUMER and not Operation.objects.exists()
    assert order.estimate["year"]["total_ttc"] == "484.00" and order.estimate["quarter"]["total_ttc"] == "121.00"
    with pytest.raises(PermissionDenied):
        orders.approve(order, w.student)  # a member orders, the PI approves
    with pytest.raises(PermissionDenied):
        orders.approve(order, w.operator)  # operators approve for the team, not for the project
    order = orders.approve(order, w.pi)
    assert order.state == Order.State.PENDING_PROVIDER and order.consumer_reviewed_by == w.pi
    with pytest.raises(PermissionDenied, match="Cloud team"):
        orders.approve(order, shop.other_operator)  # not of the cloud team
    order = orders.approve(order, w.operator)
    assert order.state == Order.State.EXECUTING
    resource = order.resource
    assert resource.state == Resource.State.CREATING and order.operation.backend == "manual"
    assert order.operation.target["quantities"] == {"disk_gb": "50", "ram_gb": "4", "vcpu": "2"}
    assert not resource.periods.exists()

    work_through(w.operator)
    order.refresh_from_db()
    resource.refresh_from_db()
    assert order.state == Order.State.DONE and resource.state == Resource.State.OK
    assert resource.backend_id == f"id-{order.operation_id}"
    [period] = resource.periods.all()
    assert period.plan == shop.gold and period.quantities == {"disk_gb": "50", "ram_gb": "4", "vcpu": "2"}
    assert period.valid_until is None


def test_an_order_its_author_may_approve_passes_that_step(shop):
    w = shop.w
    order = orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=VM, name="web")
    assert order.state == Order.State.PENDING_PROVIDER and order.consumer_reviewed_by == w.pi
    shop.bronze.offering.provider_approval = False
    shop.bronze.offering.save()
    order = orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=VM, name="api")
    assert order.state == Order.State.EXECUTING and order.provider_reviewed_by is None


def test_the_paying_establishments_manager_approves_and_an_outsider_orders_nothing(shop):
    w = shop.w
    order = orders.place(w.student, w.project, "create", plan=shop.bronze, quantities=VM, name="web")
    assert orders.approve(order, w.manager).state == Order.State.PENDING_PROVIDER  # manager of the CNRS, which pays
    with pytest.raises(PermissionDenied):
        orders.place(w.outside, w.project, "create", plan=shop.bronze, quantities=VM, name="web")
    assert not orders.may_approve(w.outside, order)


def test_rejecting_and_cancelling_need_a_reason_and_the_right_person(shop):
    w = shop.w
    first = orders.place(w.student, w.project, "create", plan=shop.bronze, quantities=VM, name="one")
    with pytest.raises(ValidationError) as refused:
        orders.reject(first, w.pi, "  ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        orders.reject(first, w.student, "No.")  # its author cancels it, and rejects nothing
    first = orders.reject(first, w.pi, "Too big for us.")
    assert first.state == Order.State.REJECTED and first.decided_by == w.pi
    with pytest.raises(ValidationError) as refused:
        orders.cancel(first, w.student, "Changed my mind.")
    assert "state" in refused.value.message_dict, "a rejected order is ended"

    second = orders.place(w.student, w.project, "create", plan=shop.bronze, quantities=VM, name="two")
    with pytest.raises(PermissionDenied):
        orders.cancel(second, w.outside, "Not mine.")
    assert orders.cancel(second, w.student, "Changed my mind.").state == Order.State.CANCELLED
    assert not Resource.objects.exists() and not Operation.objects.exists()


def test_an_order_and_its_operation_are_written_together_or_not_at_all(shop):
    w = shop.w
    Offering.objects.filter(code="cloud-vm").update(backend="no-such-backend", provider_approval=False)
    shop.bronze.offering.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=VM, name="web")
    assert "backend" in refused.value.message_dict
    assert not Order.objects.exists() and not Resource.objects.exists() and not Operation.objects.exists()


def test_a_resize_and_a_tier_change_give_the_size_held_on_each_day(shop, time_machine):
    w = shop.w
    order = orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=VM, name="web")
    orders.approve(order, w.operator)
    work_through(w.operator)
    resource = Resource.objects.get()
    created = resource.periods.get().valid_from

    time_machine.move_to(created + datetime.timedelta(days=10))
    resize = orders.place(w.pi, w.project, "update", resource=resource, quantities={"vcpu": 4, "ram_gb": 8})
    assert resize.quantities == {"disk_gb": "50", "ram_gb": "8", "vcpu": "4"}, "what is not given stays"
    with pytest.raises(ValidationError, match="in progress"):
        orders.place(w.pi, w.project, "update", resource=resource, quantities={"vcpu": 8})
    orders.approve(resize, w.operator)
    assert Resource.objects.get().state == Resource.State.UPDATING
    work_through(w.operator)

    time_machine.move_to(created + datetime.timedelta(days=40))
    tier = orders.place(w.pi, w.project, "update", resource=resource, plan=shop.gold)
    orders.approve(tier, w.operator)
    work_through(w.operator)

    def held(days):
        [period] = ResourcePeriod.objects.filter(resource=resource).held_at(created + datetime.timedelta(days=days))
        return period.plan.code, period.quantities["vcpu"]

    assert held(5) == ("bronze", "2") and held(20) == ("bronze", "4") and held(50) == ("gold", "4")
    assert resource.orders.filter(state="done").count() == 3


def test_terminating_closes_the_last_period_and_nothing_changes_after(shop, time_machine):
    w = shop.w
    orders.approve(orders.place(w.pi, w.project, "create", plan=shop.rack, quantities={"u": 42}, name="r1"), w.operator)
    work_through(w.operator)
    resource = Resource.objects.get()
    assert RackReservation.objects.get(resource=resource).units == 42
    time_machine.move_to(resource.periods.get().valid_from + datetime.timedelta(days=3))
    orders.approve(orders.place(w.pi, w.project, "terminate", resource=resource), w.operator)
    work_through(w.operator)
    resource.refresh_from_db()
    assert resource.state == Resource.State.TERMINATED
    assert resource.periods.get().valid_until is not None
    assert RackReservation.objects.get(resource=resource).released_at is not None
    with pytest.raises(ValidationError) as refused:
        orders.place(w.pi, w.project, "update", resource=resource, quantities={"u": 20})
    assert "terminated" in " ".join(refused.value.message_dict["resource"])


@pytest.mark.parametrize(
    ("quantities", "field", "says"),
    [
        ({"vcpu": 0, "ram_gb": 4, "disk_gb": 50}, "quantities", "above 0"),
        ({"vcpu": -1, "ram_gb": 4, "disk_gb": 50}, "quantities", "above 0"),
        ({"vcpu": True, "ram_gb": 4, "disk_gb": 50}, "quantities", "above 0"),
        ({"vcpu": 1.5, "ram_gb": 4, "disk_gb": 50}, "quantities", "whole"),
        ({"vcpu": 2, "ram_gb": 4}, "quantities", "needs disk_gb"),
        ({"vcpu": 2, "ram_gb": 4, "disk_gb": 50, "gpus": 1}, "quantities", "no gpus"),
        ({"vcpu": 5000, "ram_gb": 4, "disk_gb": 50}, "vcpu", "largest host"),
    ],
)
def test_bad_sizes_are_refused_naming_the_rule_and_nothing_is_written(shop, quantities, field, says):
    w = shop.w
    with pytest.raises(ValidationError) as refused:
        orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=quantities, name="web")
    assert says in " ".join(refused.value.message_dict[field])
    assert not Order.objects.exists()


def test_an_erred_order_is_retried_by_the_team(shop):
    w = shop.w
    order = orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.storage, quantities={"storage_gb": 500}, name="data"),
        w.operator,
    )
    while (operation := provisioning.claim_next("test-worker")) is not None:
        provisioning.run_operation(operation, "test-worker")
    task = ManualTask.objects.get(status="open")
    provisioning.complete_manual_task(task, w.operator, False, "No disk left in the array.")
    order.refresh_from_db()
    assert order.state == Order.State.ERRED and "No disk" in order.error
    assert order.resource.state == Resource.State.ERRED
    with pytest.raises(PermissionDenied):
        orders.retry(order, w.pi)
    order = orders.retry(order, w.operator)
    assert order.state == Order.State.EXECUTING and order.resource.state == Resource.State.CREATING
    work_through(w.operator)
    order.refresh_from_db()
    assert order.state == Order.State.DONE and order.resource.periods.count() == 1


def test_only_the_offerings_team_does_its_manual_tasks(shop):
    w = shop.w
    # The firewall belongs to the cross-cutting team: the operator is in the cloud and hosting teams only.
    order = orders.place(w.pi, w.project, "create", plan=shop.firewall, quantities={"count": 1}, name="fw")
    with pytest.raises(PermissionDenied, match="Cross-cutting team"):
        orders.approve(order, w.operator)
    shop.other_operator.team_memberships.create(team=order.offering.team)
    orders.approve(order, shop.other_operator)
    while (operation := provisioning.claim_next("test-worker")) is not None:
        provisioning.run_operation(operation, "test-worker")
    task = ManualTask.objects.get(status="open")
    assert not provisioning.may_handle(w.operator, task) and provisioning.may_handle(shop.other_operator, task)
    with pytest.raises(PermissionDenied, match="team"):
        provisioning.complete_manual_task(task, w.operator, True, "Done.", backend_id="fw-1")
    provisioning.complete_manual_task(task, shop.other_operator, True, "Rules loaded.", backend_id="fw-1")
    order.refresh_from_db()
    assert order.state == Order.State.DONE and order.resource.backend_id == "fw-1"


@pytest.mark.parametrize(
    ("quantities", "says"),
    [({"u": 43}, "more than a rack holds (42 U)"), ({"u": 42, "kw": 31}, "power budget (7 kW)")],
)
def test_a_rack_larger_than_any_is_refused_when_ordered(shop, quantities, says):
    w = shop.w
    with pytest.raises(ValidationError) as refused:
        orders.place(w.pi, w.project, "create", plan=shop.rack, quantities=quantities, name="r")
    assert says in " ".join(refused.value.message_dict["quantities"])
    assert not Order.objects.exists()


def test_a_teams_manual_tasks_are_one_filter_away(shop):
    from mesocentre.provisioning.filtersets import ManualTaskFilterSet

    w = shop.w
    shop.other_operator.team_memberships.create(team=shop.firewall.offering.team)
    orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.storage, quantities={"storage_gb": 9}, name="s"), w.operator
    )
    orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.firewall, quantities={"count": 1}, name="f"),
        shop.other_operator,
    )
    while (operation := provisioning.claim_next("test-worker")) is not None:
        provisioning.run_operation(operation, "test-worker")

    def titles(team):
        tasks = ManualTaskFilterSet({"team": team.pk}, queryset=ManualTask.objects.all()).qs
        return [task.operation.target["offering"] for task in tasks]

    assert titles(shop.cloud) == ["storage"] and titles(shop.firewall.offering.team) == ["firewall"]
    assert titles(shop.hosting) == []


def fail_task(operator):
    while (operation := provisioning.claim_next("test-worker")) is not None:
        provisioning.run_operation(operation, "test-worker")
    task = ManualTask.objects.get(status="open")
    provisioning.complete_manual_task(task, operator, False, "The array is full.")
    return task


def test_an_erred_change_given_up_leaves_the_resource_ok_and_an_erred_rack_releases_its_u(shop):
    w = shop.w
    orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.storage, quantities={"storage_gb": 5}, name="s"), w.operator
    )
    work_through(w.operator)
    resource = Resource.objects.get()
    grow = orders.approve(
        orders.place(w.pi, w.project, "update", resource=resource, quantities={"storage_gb": 9}), w.operator
    )
    fail_task(w.operator)
    resource.refresh_from_db()
    assert resource.state == Resource.State.ERRED
    orders.cancel(grow, w.operator, "Not this quarter.")
    resource.refresh_from_db()
    assert resource.state == Resource.State.OK and resource.periods.get().quantities == {"storage_gb": "5"}
    assert orders.place(w.pi, w.project, "update", resource=resource, quantities={"storage_gb": 7}).is_open

    rack = orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.rack, quantities={"u": 42}, name="r"), w.operator
    )
    fail_task(w.operator)
    orders.cancel(rack, w.operator, "The customer withdrew.")
    reservation = RackReservation.objects.get(resource=rack.resource)
    assert reservation.released_at is not None
    assert Resource.objects.get(pk=rack.resource_id).state == Resource.State.TERMINATED


def test_an_operation_retried_from_the_queue_ends_its_erred_order(shop):
    w = shop.w
    order = orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.storage, quantities={"storage_gb": 5}, name="s"), w.operator
    )
    fail_task(w.operator)
    order.refresh_from_db()
    assert order.state == Order.State.ERRED
    provisioning.retry(order.operation, w.operator)
    work_through(w.operator)
    order.refresh_from_db()
    assert order.state == Order.State.DONE and order.error == ""
    assert order.resource.state == Resource.State.OK and order.resource.periods.count() == 1


def test_a_retry_checks_the_quotas_again(shop):
    from mesocentre.resources.models import Quota

    w = shop.w
    order = orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=VM, name="vm"), w.operator
    )
    fail_task(w.operator)
    Quota.objects.create(project=w.project, dimension="vcpu", limit=1)
    with pytest.raises(ValidationError, match="has 0 of its 1 vCPU"):
        orders.retry(order, w.operator)
    with pytest.raises(PermissionDenied):
        orders.retry(Order.objects.get(pk=order.pk), w.pi)


def test_racks_are_shared_by_their_u_and_their_power(shop):
    from mesocentre.capacity.models import Pod

    w = shop.w
    pod = Pod.objects.get(code="pod3")
    placed = []
    for name in ("a", "b"):
        order = orders.place(
            w.pi, w.project, "create", plan=shop.rack, quantities={"u": 20, "kw": 4}, name=name, pod=pod
        )
        placed.append(orders.approve(order, w.operator))
    a, b = (RackReservation.objects.get(resource=order.resource) for order in placed)
    assert a.rack != b.rack, "20 U each would share a rack, 4 kW each would not (7 kW budget)"
    assert a.rack.pod == b.rack.pod == pod
