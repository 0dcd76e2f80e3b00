"""A VM order carried out is placed only on an answer the independent checker certified: when the checker refuses
the engine's answer, or the engine finds no host now, the order errs with why and nothing is placed."""

from mesocentre.assistant import services as assistant_services
from mesocentre.assistant.placement import Answer
from mesocentre.capacity.models import Host
from mesocentre.provisioning.models import Operation
from mesocentre.resources import orders
from mesocentre.resources.models import Order, Placement, Resource
from mesocentre.resources.tests.test_views import VM


def _pending(shop, name="web", quantities=VM) -> Order:
    """A bronze VM ordered by the PI (who approves for the project): it waits for the cloud team."""
    order = orders.place(shop.w.pi, shop.w.project, "create", plan=shop.bronze, quantities=quantities, name=name)
    assert order.state == Order.State.PENDING_PROVIDER
    return order


def _erred(order: Order, operator) -> Order:
    orders.approve(order, operator)
    order.refresh_from_db()
    assert order.state == Order.State.ERRED
    assert not Placement.objects.filter(resource__name=order.name).exists()
    assert not Operation.objects.exists()  # nothing queued for the team to make
    assert Resource.objects.get(name=order.name).state == Resource.State.ERRED
    return order


def test_an_answer_the_checker_refuses_errs_the_order_and_places_nothing(shop, monkeypatch):
    order = _pending(shop)
    # A test double of the engine that answers wrong: a standby for a bronze VM, then a host that does not exist.
    wrong = [Answer(True, "site1-hv01", "site2-hv01"), Answer(True, "no-such-host")]
    monkeypatch.setattr(assistant_services, "place", lambda state, vm, largest=True: wrong[0])
    order = _erred(order, shop.w.operator)
    assert order.error.startswith("The assistant's placement was not certified, so nothing was placed:")
    assert "site1-hv01/site2-hv01 breaks a rule" in order.error
    # Retried by the team, on another wrong answer: erred again, still nothing placed.
    wrong.pop(0)
    orders.retry(order, shop.w.operator)
    order.refresh_from_db()
    assert order.state == Order.State.ERRED and "a host of the answer is not in the state" in order.error
    assert not Placement.objects.exists()
    # With the real engine back, the retry places it.
    monkeypatch.undo()
    orders.retry(order, shop.w.operator)
    order.refresh_from_db()
    assert order.state == Order.State.EXECUTING and Placement.objects.filter(resource__name="web").count() == 1


def test_no_host_left_at_execution_errs_the_order_with_the_explanation(shop):
    order = _pending(shop)
    Host.objects.update(in_maintenance=True)  # since the order was placed, every host went into maintenance
    order = _erred(order, shop.w.operator)
    assert "is in maintenance: it takes no new copy" in order.error
    # The team gives it up: the resource that never came to be ends with it.
    orders.cancel(order, shop.w.operator, "No room.")
    assert Resource.objects.get(name="web").state == Resource.State.TERMINATED


def test_a_resize_refused_at_execution_leaves_the_vm_running_as_it_was(shop):
    from django.db import transaction

    order = _pending(shop)
    orders.approve(order, shop.w.operator)
    with transaction.atomic():
        orders.finish(Order.objects.select_for_update().get(pk=order.pk), done=True, result={})
    vm = Resource.objects.get(name="web")
    before = list(Placement.objects.filter(resource=vm).values_list("host__name", "vcpu"))
    assert vm.state == Resource.State.OK and before
    resize = orders.place(shop.w.pi, shop.w.project, "update", resource=vm, quantities={**VM, "vcpu": "4"})
    Host.objects.update(in_maintenance=True)  # no host may take the larger size now
    orders.approve(resize, shop.w.operator)
    resize.refresh_from_db()
    vm.refresh_from_db()
    assert resize.state == Order.State.ERRED and "is in maintenance" in resize.error
    assert vm.state == Resource.State.OK, "a VM whose resize was refused runs on, untouched"
    assert list(Placement.objects.filter(resource=vm).values_list("host__name", "vcpu")) == before
