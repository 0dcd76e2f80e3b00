"""The portal's pages of resources and orders: the order form, the buttons that move an order, the lists."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mesocentre.resources import orders
from mesocentre.resources.models import Order, Resource, ResourcePeriod

VM = {"vcpu": "2", "ram_gb": "4", "disk_gb": "50"}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


def place(shop, author=None) -> Order:
    w = shop.w
    return orders.place(author or w.student, w.project, "create", plan=shop.gold, quantities=VM, name="web")


# --- The order form -------------------------------------------------------------------------------------------------


def test_the_order_form_estimates_then_places_an_order(shop):
    w = shop.w
    client = client_of(w.student)
    url = reverse("resources:order_new") + f"?plan={shop.gold.pk}&project={w.project.pk}"
    page = body(client.get(url))
    assert 'name="vcpu"' in page and 'name="ram_gb"' in page and 'name="disk_gb"' in page and 'name="pod"' not in page
    assert f'<option value="{w.project.pk}" selected>' in page
    form = {"project": w.project.pk, "plan": shop.gold.pk, "name": "web", **VM}
    preview = client.post(url, {**form, "preview": "1"})
    assert preview.status_code == 200 and not Order.objects.exists()
    estimate = re.search(r'(?s)<table id="order-estimate">.*?</table>', body(preview)).group(0)
    assert "€121.00" in estimate and "€484.00" in estimate  # the offer's gold VM, TTC, a quarter and a year
    placed = client.post(url, {**form, "place": "1"})
    order = Order.objects.get()
    assert placed.status_code == 302 and placed["Location"] == reverse("resources:order_detail", args=[order.pk])
    assert order.created_by == w.student and order.quantities == VM and order.name == "web"
    assert order.state == Order.State.PENDING_CONSUMER and order.estimate["year"]["total_ttc"] == "484.00"


def test_a_quantity_of_0_is_refused_on_its_field_and_nothing_is_written(shop):
    w = shop.w
    client = client_of(w.pi)
    url = reverse("resources:order_new") + f"?plan={shop.gold.pk}"
    form = {"project": w.project.pk, "plan": shop.gold.pk, "name": "web", **VM, "vcpu": "0", "place": "1"}
    response = client.post(url, form)
    assert response.status_code == 400 and not Order.objects.exists() and not Resource.objects.exists()
    error = re.search(r'<ul class="errorlist" id="id_vcpu_error">(.*?)</ul>', body(response))
    assert error and "vcpu: a number above 0" in error.group(1)


def test_the_form_offers_only_the_projects_one_orders_for(shop):
    w = shop.w
    url = reverse("resources:order_new") + f"?plan={shop.gold.pk}"
    form = {"project": w.project.pk, "plan": shop.gold.pk, "name": "web", **VM, "place": "1"}
    response = client_of(w.outside).post(url, form)  # a reviewer of the university, not of the project
    assert response.status_code == 400 and 'id="id_project_error"' in body(response) and not Order.objects.exists()


def test_a_rack_takes_a_pod_and_no_plan_shows_the_choice(shop):
    client = client_of(shop.w.pi)
    page = body(client.get(reverse("resources:order_new") + f"?plan={shop.rack.pk}"))
    assert 'name="u"' in page and 'name="kw"' in page and 'name="pod"' in page
    choose = body(client.get(reverse("resources:order_new")))
    assert f'<option value="{shop.gold.pk}">' in choose and 'name="vcpu"' not in choose


def test_the_catalogue_offers_to_order_its_plans_to_the_signed_in(shop):
    url = reverse("catalogue:offering_detail", args=["cloud-vm"])
    link = reverse("resources:order_new") + f"?plan={shop.gold.pk}"
    assert link in body(client_of(shop.w.student).get(url))
    assert link not in body(Client().get(url))


# --- Moving an order along ------------------------------------------------------------------------------------------


def test_the_pi_approves_then_the_team_and_others_are_refused(shop):
    w = shop.w
    order = place(shop)
    approve = reverse("resources:order_approve", args=[order.pk])
    page = body(client_of(w.pi).get(reverse("resources:order_detail", args=[order.pk])))
    assert f'action="{approve}"' in page
    assert f'action="{approve}"' not in body(
        client_of(w.student).get(reverse("resources:order_detail", args=[order.pk]))
    )
    assert client_of(w.student).post(approve).status_code == 403  # a member orders, the PI approves
    assert client_of(w.operator).post(approve).status_code == 403  # the team, not the project
    assert client_of(w.outside).post(approve).status_code == 404  # not theirs to see
    assert client_of(w.pi).post(approve).status_code == 302
    order.refresh_from_db()
    assert order.state == Order.State.PENDING_PROVIDER and order.consumer_reviewed_by == w.pi
    assert client_of(shop.other_operator).post(approve).status_code == 403  # not in the cloud team
    assert client_of(w.operator).post(approve).status_code == 302
    order.refresh_from_db()
    assert order.state == Order.State.EXECUTING and order.provider_reviewed_by == w.operator


def test_reject_needs_a_reason_and_the_right_role(shop):
    w = shop.w
    order = orders.approve(place(shop), w.pi)  # awaiting the team
    reject = reverse("resources:order_reject", args=[order.pk])
    assert client_of(w.pi).post(reject, {"reason": "No."}).status_code == 403  # the project's turn has passed
    assert client_of(shop.other_operator).post(reject, {"reason": "No."}).status_code == 403
    missing = client_of(w.operator).post(reject, {"reason": " "})
    assert missing.status_code == 400 and "Say why." in body(missing)
    assert client_of(w.operator).post(reject, {"reason": "No room."}).status_code == 302
    order.refresh_from_db()
    assert order.state == Order.State.REJECTED and order.reason == "No room." and order.decided_by == w.operator


def test_the_author_cancels_and_an_operator_outside_the_team_does_not(shop):
    w = shop.w
    order = place(shop)
    cancel = reverse("resources:order_cancel", args=[order.pk])
    assert client_of(shop.other_operator).post(cancel, {"reason": "Mine."}).status_code == 403
    page = body(client_of(w.student).get(reverse("resources:order_detail", args=[order.pk])))
    assert f'action="{cancel}"' in page and 'class="danger"' in page and "data-confirm=" in page
    assert client_of(w.student).post(cancel, {"reason": "Wrong size."}).status_code == 302
    order.refresh_from_db()
    assert order.state == Order.State.CANCELLED and order.reason == "Wrong size."
    assert client_of(w.student).post(cancel, {"reason": "Again."}).status_code == 400  # it ended


def test_only_the_team_retries(shop):
    w = shop.w
    order = place(shop, author=w.pi)
    order = orders.approve(order, w.operator)
    Order.objects.filter(pk=order.pk).update(state=Order.State.ERRED, error="boom")
    retry = reverse("resources:order_retry", args=[order.pk])
    assert client_of(w.pi).post(retry).status_code == 403
    assert client_of(shop.other_operator).post(retry).status_code == 403
    assert f'action="{retry}"' in body(client_of(w.operator).get(reverse("resources:order_detail", args=[order.pk])))


# --- A resource's page ----------------------------------------------------------------------------------------------


def held(shop, name="web", project=None) -> Resource:
    w = shop.w
    resource = Resource.objects.create(
        project=project or w.project, offering=shop.gold.offering, name=name, backend="manual", state="ok"
    )
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    ResourcePeriod.objects.create(resource=resource, plan=shop.bronze, quantities=VM, valid_from=start)
    return resource


def test_a_resource_page_shows_its_history_and_who_orders_changes_it(shop):
    w = shop.w
    resource = held(shop)
    url = reverse("resources:resource_detail", args=[resource.pk])
    page = body(client_of(w.student).get(url))
    history = re.search(r'(?s)<table id="resource-history">.*?</table>', page).group(0)
    assert "1 Jan 2026" in history and "2 vCPU, RAM 4 GB, Disk 50 GB" in history and "Bronze" in history
    terminate = reverse("resources:resource_terminate", args=[resource.pk])
    assert f'action="{terminate}" data-confirm="' in page and 'class="danger"' in page
    assert reverse("resources:resource_change", args=[resource.pk]) in page
    assert client_of(w.insider).get(url).status_code == 404  # of the laboratory, not of the project
    change = client_of(w.student).get(reverse("resources:resource_change", args=[resource.pk]))
    assert 'name="vcpu" value="2"' in body(change)
    response = client_of(w.student).post(terminate)
    order = Order.objects.get()
    assert response.status_code == 302 and order.type == Order.Type.TERMINATE and order.resource == resource


def test_a_change_of_tier_is_ordered_from_the_resource(shop):
    w = shop.w
    resource = held(shop)
    url = reverse("resources:resource_change", args=[resource.pk])
    same = client_of(w.pi).post(url, {"plan": shop.bronze.pk, **VM, "place": "1"})
    assert same.status_code == 400 and "nothing to change" in body(same) and not Order.objects.exists()
    response = client_of(w.pi).post(url, {"plan": shop.gold.pk, **VM, "place": "1"})
    order = Order.objects.get()
    assert response.status_code == 302 and order.type == Order.Type.UPDATE and order.plan == shop.gold


# --- Constant queries -----------------------------------------------------------------------------------------------


def queries_of(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), body(response)


@pytest.mark.parametrize(
    "url",
    [
        lambda shop: reverse("resources:resource_list"),
        lambda shop: reverse("resources:order_list"),
        lambda shop: reverse("projects:project_detail", args=[shop.w.project.code]),
    ],
    ids=["resource_list", "order_list", "project_page"],
)
def test_the_lists_keep_their_queries_with_2_or_20_rows(shop, url):
    w = shop.w
    client = client_of(w.pi)

    def add(n):
        for _ in range(n):
            resource = held(shop, name=f"vm-{Resource.objects.count()}")
            Order.objects.create(
                project=w.project,
                offering=resource.offering,
                plan=shop.gold,
                resource=resource,
                type="update",
                quantities=VM,
                created_by=w.student,
            )

    add(2)
    few, _ = queries_of(client, url(shop))
    add(18)
    many, page = queries_of(client, url(shop))
    assert page.count("vm-") >= 20
    assert many == few, f"{url(shop)}: {few} queries with 2 rows, {many} with 20"
