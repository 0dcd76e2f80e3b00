"""Anti-affinity groups stored: a VM joins a group of its project when ordered (form, API); its placement, and every
later one, passes the group to the assistant (``anti_affinity:<project>/<group>``), so that two VMs of one group never
share a host, and an order that cannot respect it is refused in the rule's words."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mesocentre.resources import orders, placements
from mesocentre.resources.models import Order, Placement, Resource
from mesocentre.resources.tests.test_views import VM, body, client_of


def _vm(shop, name: str, group: str = "", plan=None) -> Order:
    w = shop.w
    order = orders.place(w.pi, w.project, "create", plan=plan or shop.bronze, quantities=VM, name=name, group=group)
    if order.state in Order.PENDING:
        order = orders.approve(order, w.operator)
    assert order.state == Order.State.EXECUTING, order.error
    return order


def _hosts(names) -> list[str]:
    rows = Placement.objects.filter(resource__name__in=names).exclude(role="backup")
    return list(rows.values_list("host__name", flat=True))


def test_two_vms_of_one_group_never_share_a_host_and_the_next_is_refused_by_the_rule(shop):
    # The demo's 9 hosts (6 + 3): 9 bronze VMs of one group take one host each, though any host holds them all.
    names = [f"web-{i}" for i in range(9)]
    for name in names:
        _vm(shop, name, group="web")
    assert set(Resource.objects.filter(name__in=names).values_list("anti_affinity_group", flat=True)) == {"web"}
    hosts = _hosts(names)
    assert len(hosts) == 9 and len(set(hosts)) == 9
    with pytest.raises(ValidationError) as refused:
        _vm(shop, "web-9", group="web")
    [text] = refused.value.message_dict["quantities"]
    assert text.startswith(f"The VM is in the anti-affinity group {shop.w.project.code}/web:")
    assert "the group's 9 copies, which hold 9 hosts" in text
    assert not Order.objects.filter(name="web-9").exists()
    _vm(shop, "db", group="")  # outside the group, it fits
    _vm(shop, "db-2", group="db")  # another group, too


def test_a_gold_member_holds_two_hosts_of_its_group_and_a_resize_keeps_its_group(shop):
    first, second = _vm(shop, "a", group="ha", plan=shop.gold), _vm(shop, "b", group="ha", plan=shop.gold)
    hosts = _hosts(["a", "b"])
    assert len(hosts) == 4 and len(set(hosts)) == 4
    state = placements.state_data()
    assert {vm["group"] for vm in state["vms"]} == {f"{shop.w.project.code}/ha"}
    # A resize is placed with its resource's group: still apart from the other member.
    orders.finish(first, done=True, result={})
    first.resource.refresh_from_db()
    change = orders.place(shop.w.pi, shop.w.project, "update", resource=first.resource, quantities={"vcpu": "4"})
    if change.state in Order.PENDING:
        orders.approve(change, shop.w.operator)
    hosts = _hosts(["a", "b"])
    assert len(set(hosts)) == 4 and second.resource.anti_affinity_group == "ha"


def test_a_group_is_refused_naming_the_field_when_bad_or_not_a_new_vm(shop):
    w = shop.w
    for bad in ("two words", "x" * 51, "é"):
        with pytest.raises(ValidationError) as refused:
            orders.place(w.pi, w.project, "create", plan=shop.bronze, quantities=VM, name="x", group=bad)
        assert "group" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        orders.place(w.pi, w.project, "create", plan=shop.storage, quantities={"storage_gb": 10}, name="s", group="g")
    assert "group" in refused.value.message_dict
    assert not Order.objects.exists()


def test_the_api_and_the_form_take_the_group(shop):
    w = shop.w
    client = client_of(w.pi)
    url = reverse("resources-api:order-list")
    payload = {"project": w.project.pk, "type": "create", "plan": shop.bronze.pk, "name": "api-vm", "quantities": VM}
    bad = client.post(url, {**payload, "group": "no spaces"}, content_type="application/json")
    assert bad.status_code == 400 and "group" in bad.json()
    made = client.post(url, {**payload, "group": "web"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["group"] == "web"
    assert Order.objects.get(pk=made.json()["id"]).group == "web"
    form_url = reverse("resources:order_new") + f"?plan={shop.bronze.pk}"
    assert 'name="group"' in body(client.get(form_url))
    form = {"project": w.project.pk, "plan": shop.bronze.pk, "name": "form-vm", **VM, "group": "web", "place": "1"}
    assert client.post(form_url, form).status_code == 302
    placed = Order.objects.get(name="form-vm")
    assert placed.group == "web"
    page = body(client.get(reverse("resources:order_detail", args=[placed.pk])))
    assert '<dd id="order-group">web</dd>' in page
    storage = reverse("resources:order_new") + f"?plan={shop.storage.pk}"
    assert 'name="group"' not in body(client.get(storage))
