"""Quotas: what is held plus what is on order, refused before anything is queued, with the numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mesocentre.resources import orders, quotas
from mesocentre.resources.models import Order, Quota
from mesocentre.resources.tests.test_orders import work_through


def vm(vcpu, ram=4, disk=50):
    return {"vcpu": vcpu, "ram_gb": ram, "disk_gb": disk}


def test_a_laboratory_quota_counts_held_and_ordered_and_refuses_with_the_numbers(shop):
    w = shop.w
    quota = Quota.objects.create(laboratory=w.lab, dimension="vcpu", limit=64)
    held = orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=vm(40), name="a"), w.operator
    )
    work_through(w.operator)
    orders.place(w.pi, w.project, "create", plan=shop.gold, quantities=vm(20), name="b")  # awaiting the team
    assert quotas.in_use(quota) == 60
    with pytest.raises(ValidationError) as refused:
        orders.place(w.student, w.project, "create", plan=shop.bronze, quantities=vm(8), name="c")
    assert refused.value.message_dict["quantities"] == [
        "the laboratory lab has 60 of its 64 vCPU in use or ordered; this order needs 8."
    ]
    assert Order.objects.count() == 2, "nothing is written"

    # A change counts by its growth; a smaller size needs nothing.
    held.refresh_from_db()
    with pytest.raises(ValidationError, match="needs 8"):
        orders.place(w.pi, w.project, "update", resource=held.resource, quantities={"vcpu": 48})
    smaller = orders.place(w.pi, w.project, "update", resource=held.resource, quantities={"vcpu": 30})
    assert smaller.state == Order.State.PENDING_PROVIDER
    orders.cancel(smaller, w.pi, "Not now.")
    assert orders.place(w.pi, w.project, "update", resource=held.resource, quantities={"vcpu": 44}).is_open


def test_quotas_of_the_establishment_and_the_project_count_vms_racks_and_storage(shop):
    w = shop.w
    Quota.objects.create(establishment=w.cnrs, dimension="vms", limit=1)  # the CNRS pays for the project
    Quota.objects.create(project=w.project, dimension="racks", limit=0)
    Quota.objects.create(project=w.project, dimension="storage_gb", limit=1000)
    orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=vm(2), name="one")
    with pytest.raises(ValidationError, match="the establishment cnrs has 1 of its 1 VMs"):
        orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=vm(2), name="two")
    with pytest.raises(ValidationError, match="the project jets has 0 of its 0 racks"):
        orders.place(w.pi, w.project, "create", plan=shop.rack, quantities={"u": 42}, name="r")
    orders.place(w.pi, w.project, "create", plan=shop.storage, quantities={"storage_gb": 600}, name="s1")
    with pytest.raises(ValidationError, match="600 of its 1,000 GB of storage"):
        orders.place(w.pi, w.project, "create", plan=shop.storage, quantities={"storage_gb": 500}, name="s2")
    # A firewall counts against none of them.
    assert orders.place(w.pi, w.project, "create", plan=shop.firewall, quantities={"count": 1}, name="fw").is_open


def test_an_approval_checks_the_quotas_again(shop):
    w = shop.w
    order = orders.place(w.student, w.project, "create", plan=shop.bronze, quantities=vm(8), name="late")
    Quota.objects.create(laboratory=w.lab, dimension="vcpu", limit=4)  # lowered after the order was placed
    with pytest.raises(ValidationError, match="has 0 of its 4 vCPU"):
        orders.approve(order, w.pi)
    order.refresh_from_db()
    assert order.state == Order.State.PENDING_CONSUMER


def test_a_quota_has_one_holder_and_one_row_per_dimension(shop):
    w = shop.w
    with pytest.raises(ValidationError):
        Quota.objects.create(laboratory=w.lab, project=w.project, dimension="vcpu", limit=4)
    Quota.objects.create(laboratory=w.lab, dimension="vcpu", limit=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.bulk_create([Quota(laboratory=w.lab, dimension="vcpu", limit=8)])
