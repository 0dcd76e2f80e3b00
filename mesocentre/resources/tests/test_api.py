"""The API of resources, orders and quotas: orders placed and moved along by HTTP, refusals naming the field (400)
or the rule (403), and lists whose number of queries does not grow with their rows."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from mesocentre.projects.models import Project
from mesocentre.resources.models import Order, Quota, Resource, ResourcePeriod

VM = {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}
ORDERS = reverse("resources-api:order-list")


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def order_vm(client: APIClient, shop, **change):
    payload = {"project": shop.w.project.pk, "type": "create", "plan": shop.gold.pk, "name": "web", "quantities": VM}
    return client.post(ORDERS, {**payload, **change}, format="json")


def act(client: APIClient, order_id: int, verb: str, **payload):
    return client.post(reverse(f"resources-api:order-{verb}", args=[order_id]), payload, format="json")


def held_vm(shop, state: str = "ok") -> Resource:
    """A bronze VM of the project, held at ``VM`` since January."""
    resource = Resource.objects.create(
        project=shop.w.project, offering=shop.bronze.offering, name="held", backend="manual", state=state
    )
    ResourcePeriod.objects.create(
        resource=resource,
        plan=shop.bronze,
        quantities={"disk_gb": "50", "ram_gb": "4", "vcpu": "2"},
        valid_from=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    return resource


# ---------------------------------------------------------------------------------------------- placing and approving
def test_a_member_places_an_order_by_post(shop):
    response = order_vm(client_of(shop.w.student), shop)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "pending_consumer" and body["type"] == "create"
    assert body["quantities"] == {"disk_gb": "50", "ram_gb": "4", "vcpu": "2"}
    assert body["estimate"]["year"]["total_ttc"] == "484.00" and body["estimate"]["quarter"]["total_ttc"] == "121.00"
    assert body["created_by"] == "student" and body["consumer_reviewed_by"] is None
    assert body["project_code"] == "jets" and body["plan_code"] == "gold" and body["resource"] is None
    assert Order.objects.get().pk == body["id"]


def test_a_members_order_is_approved_by_the_pi_then_by_the_offerings_team(shop):
    w = shop.w
    order_id = order_vm(client_of(w.student), shop).json()["id"]
    refused = act(client_of(w.student), order_id, "approve")
    assert refused.status_code == 403 and "PI or manager" in refused.json()["detail"]
    approved = act(client_of(w.pi), order_id, "approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "pending_provider" and approved.json()["consumer_reviewed_by"] == "pi"
    refused = act(client_of(shop.other_operator), order_id, "approve")
    assert refused.status_code == 403 and "Cloud team" in refused.json()["detail"], "not of the offering's team"
    done = act(client_of(w.operator), order_id, "approve").json()
    assert done["state"] == "executing" and done["provider_reviewed_by"] == w.operator.username
    order = Order.objects.get()
    assert done["resource"] == order.resource_id is not None and done["operation"] == order.operation_id is not None


def test_an_outsider_is_refused_an_order_it_may_see_and_does_not_find_the_others(shop, user_factory):
    w = shop.w
    order_id = order_vm(client_of(w.student), shop).json()["id"]
    act(client_of(w.pi), order_id, "approve")
    before = Order.objects.values().get()
    assert act(client_of(shop.other_operator), order_id, "approve").status_code == 403
    assert act(client_of(user_factory("stranger")), order_id, "approve").status_code == 404
    assert Order.objects.values().get() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantities": {**VM, "vcpu": 0}}, "quantities"),
        ({"quantities": "2 vCPU"}, "quantities"),
        ({"quantities": [2, 4, 50]}, "quantities"),
        ({"quantities": {f"size{n}": 1 for n in range(50)}}, "quantities"),
        ({"plan": 10**9}, "plan"),
        ({"type": "enlarge"}, "type"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_a_bad_order_is_a_400_naming_the_field_and_nothing_is_written(shop, change, field):
    response = order_vm(client_of(shop.w.pi), shop, **change)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Order.objects.exists()


def test_a_project_the_caller_does_not_see_is_a_400_naming_it(shop):
    w = shop.w
    hidden = Project.objects.create(
        code="hidden", title="Hidden", laboratory=w.other_lab, paying_establishment=w.univ, theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    response = order_vm(client_of(w.student), shop, project=hidden.pk)
    assert response.status_code == 400 and "project" in response.json()
    assert not Order.objects.exists()


def test_a_change_of_a_terminated_resource_or_to_the_same_size_is_a_400(shop):
    pi = client_of(shop.w.pi)
    ended = held_vm(shop, state=Resource.State.TERMINATED)
    change = {"type": "update", "resource": ended.pk, "quantities": {"vcpu": 4}}
    response = order_vm(pi, shop, **change)
    assert response.status_code == 400 and "terminated" in " ".join(response.json()["resource"])
    same = held_vm(shop)
    response = order_vm(pi, shop, **{**change, "resource": same.pk, "plan": shop.bronze.pk, "quantities": VM})
    assert response.status_code == 400 and "size already" in " ".join(response.json()["quantities"])
    assert not Order.objects.exists()


def test_rejecting_and_cancelling_need_a_reason_of_bounded_length(shop):
    w = shop.w
    order_id = order_vm(client_of(w.student), shop).json()["id"]
    pi = client_of(w.pi)
    assert "reason" in act(pi, order_id, "reject", reason=" ").json()
    assert "reason" in act(pi, order_id, "reject", reason="x" * 2001).json()
    assert act(pi, order_id, "reject").status_code == 400
    rejected = act(pi, order_id, "reject", reason="Too big for us.").json()
    assert (
        rejected["state"] == "rejected" and rejected["reason"] == "Too big for us." and rejected["decided_by"] == "pi"
    )
    again = act(client_of(w.student), order_id, "cancel", reason="Never mind.")
    assert again.status_code == 400 and "state" in again.json()
    assert act(client_of(w.operator), order_id, "retry").status_code == 400


def test_a_resources_detail_gives_its_history_and_a_list_its_period_in_force(shop):
    resource = held_vm(shop)
    current = resource.periods.get()
    current.valid_until = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    current.save()
    ResourcePeriod.objects.create(
        resource=resource, plan=shop.gold, quantities={"disk_gb": "50", "ram_gb": "8", "vcpu": "4"},
        valid_from=current.valid_until,
    )  # fmt: skip
    pi = client_of(shop.w.pi)
    [row] = pi.get(reverse("resources-api:resource-list")).json()["results"]
    assert row["current_period"]["plan_code"] == "gold" and row["current_period"]["quantities"]["vcpu"] == "4"
    assert "periods" not in row and row["project_code"] == "jets" and row["offering_code"] == "cloud-vm"
    detail = pi.get(reverse("resources-api:resource-detail", args=[resource.pk])).json()
    assert [p["plan_code"] for p in detail["periods"]] == ["bronze", "gold"]
    assert detail["periods"][0]["valid_until"] is not None and detail["periods"][1]["valid_until"] is None
    assert (
        client_of(shop.w.outside).get(reverse("resources-api:resource-detail", args=[resource.pk])).status_code == 404
    )


# ---------------------------------------------------------------------------------------------- quotas
def test_operators_set_quotas_and_a_detail_says_what_is_in_use(shop):
    w = shop.w
    quotas = reverse("resources-api:quota-list")
    quota = {"establishment": w.cnrs.pk, "dimension": "vcpu", "limit": 16}
    assert client_of(w.pi).post(quotas, quota, format="json").status_code == 403
    operator = client_of(w.operator)
    both = operator.post(quotas, {**quota, "project": w.project.pk}, format="json")
    assert both.status_code == 400 and "establishment" in both.json()
    negative = operator.post(quotas, {**quota, "limit": -1}, format="json")
    assert negative.status_code == 400 and "limit" in negative.json()
    created = operator.post(quotas, quota, format="json")
    assert created.status_code == 201, created.content
    twice = operator.post(quotas, quota, format="json")
    assert twice.status_code == 400 and "dimension" in twice.json()
    order_vm(client_of(w.pi), shop)  # 2 vCPU on order, paid by the CNRS
    detail = reverse("resources-api:quota-detail", args=[created.json()["id"]])
    assert client_of(w.manager).get(detail).json()["in_use"] == "2"
    assert "in_use" not in client_of(w.manager).get(quotas).json()["results"][0]
    assert client_of(w.manager).patch(detail, {"limit": 1}, format="json").status_code == 403
    assert operator.patch(detail, {"limit": 32}, format="json").json()["limit"] == "32"
    assert operator.delete(detail).status_code == 204 and not Quota.objects.exists()


# ---------------------------------------------------------------------------------------------- query counts
_serial = itertools.count(1)


def add_resource(shop) -> None:
    resource = held_vm(shop)
    resource.name = f"vm-{next(_serial)}"
    resource.save()


def add_order(shop) -> None:
    w = shop.w
    Order.objects.create(
        project=w.project, offering=shop.gold.offering, plan=shop.gold, type="create", name=f"vm-{next(_serial)}",
        quantities={"vcpu": "2"}, created_by=w.student, consumer_reviewed_by=w.pi, state="pending_provider",
    )  # fmt: skip


def add_quota(shop) -> None:
    w = shop.w
    n = next(_serial)
    project = Project.objects.create(
        code=f"p{n}", title=f"P{n}", laboratory=w.lab, paying_establishment=w.cnrs, theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    Quota.objects.create(project=project, dimension="vcpu", limit=8)


def queries_of(client: APIClient, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"limit": 1000})
    assert response.status_code == 200
    return len(captured), response.json()["count"]


@pytest.mark.parametrize(
    ("name", "add"),
    [("resource-list", add_resource), ("order-list", add_order), ("quota-list", add_quota)],
)
@pytest.mark.parametrize("reader", ["operator", "manager"])
def test_a_list_costs_the_same_queries_with_2_rows_as_with_20(shop, name, add, reader):
    client = client_of(getattr(shop.w, reader))
    path = reverse(f"resources-api:{name}")
    for _ in range(2):
        add(shop)
    client.get(path)  # warms the caches (content types, the session's user)
    before, rows_before = queries_of(client, path)
    for _ in range(18):
        add(shop)
    after, rows_after = queries_of(client, path)
    assert (rows_before, rows_after) == (2, 20)
    assert after == before


def test_a_researcher_orders_a_rack_in_the_pod_of_their_choice(shop, client):
    from mesocentre.capacity.models import Pod

    w = shop.w
    pod2 = Pod.objects.get(code="pod2")
    client.force_login(w.pi)
    answer = client.post(
        "/api/resources/orders/",
        {
            "project": w.project.pk,
            "type": "create",
            "plan": shop.rack.pk,
            "name": "r",
            "quantities": {"u": 42},
            "pod": pod2.pk,
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["pod"] == pod2.pk
