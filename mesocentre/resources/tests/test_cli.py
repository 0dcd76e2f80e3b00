"""`mesocentre orders` and `mesocentre resources`: thin over the services, figures as the pages write them, and
bad input refused in one line with exit status 2 naming the option (or the field) and the rule."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from mesocentre.resources import orders
from mesocentre.resources.models import Order, Resource, ResourcePeriod

VM = {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}


def run(capsys, *args: str) -> str:
    call_command(*args)
    return capsys.readouterr().out


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command(*args)
    assert raised.value.returncode == 2, raised.value
    assert "\n" not in str(raised.value)
    return str(raised.value)


@pytest.fixture
def placed(shop):
    """The student's gold VM, awaiting the project."""
    return orders.place(shop.w.student, shop.w.project, "create", plan=shop.gold, quantities=VM, name="web")


def test_orders_are_listed_with_their_size_and_estimate_and_filtered(shop, placed, capsys):
    out = run(capsys, "orders", "list")
    assert f"#{placed.pk}" in out and "jets" in out and "cloud-vm/gold" in out
    assert "disk_gb 50, ram_gb 4, vcpu 2" in out and "€484.00" in out
    assert "No order." in run(capsys, "orders", "list", "--state", "done")
    assert f"#{placed.pk}" in run(capsys, "orders", "list", "--team", "cloud", "--state", "pending_consumer")
    assert "No order." in run(capsys, "orders", "list", "--team", "hosting")
    [row] = json.loads(run(capsys, "orders", "list", "--json"))
    assert row["id"] == placed.pk and row["estimate"]["year"]["total_ttc"] == "484.00"


def test_an_order_is_approved_by_the_pi_then_the_team_and_refusals_are_exit_status_2(shop, placed, capsys):
    assert "awaiting the team's approval" in run(capsys, "orders", "approve", str(placed.pk), "--by", "pi")
    text = refused("orders", "approve", str(placed.pk), "--by", "op2")
    assert text.startswith("--by:") and "Cloud team" in text
    assert "executing" in run(capsys, "orders", "approve", str(placed.pk), "--by", "op")
    assert Order.objects.get().state == Order.State.EXECUTING
    assert refused("orders", "approve", str(placed.pk), "--by", "op").startswith("state:")


def test_rejecting_and_cancelling_say_why(shop, placed, capsys):
    assert refused("orders", "reject", str(placed.pk), "--by", "pi", "--reason", " ").startswith("reason:")
    assert "rejected" in run(capsys, "orders", "reject", str(placed.pk), "--by", "pi", "--reason", "Too big.")
    order = Order.objects.get()
    assert order.reason == "Too big." and order.decided_by == shop.w.pi
    assert refused("orders", "cancel", str(placed.pk), "--by", "student", "--reason", "No.").startswith("state:")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("orders", "list", "--state", "lost"), "--state: choose one of pending_consumer"),
        (("orders", "list", "--team", "nobody"), "--team: choose one of"),
        (("orders", "approve", "999999", "--by", "pi"), "ORDER: no order has the id 999999"),
        (("orders", "approve", "{order}", "--by", "ghost"), "--by: no user is named ghost"),
        (("resources", "list", "--state", "lost"), "--state: choose one of creating"),
        (("resources", "list", "--project", "nope"), "--project: no project has the code nope"),
        (("resources", "show", "999999"), "RESOURCE: no resource has the id 999999"),
    ],
)
def test_bad_input_is_one_line_with_exit_status_2(shop, placed, args, says):
    args = [arg.format(order=placed.pk) for arg in args]
    assert refused(*args).startswith(says)
    assert Order.objects.get().state == Order.State.PENDING_CONSUMER


def test_resources_are_listed_at_their_size_and_shown_with_their_history(shop, capsys):
    w = shop.w
    resource = Resource.objects.create(
        project=w.project, offering=shop.bronze.offering, name="held", backend="manual", state="ok", backend_id="vm-7"
    )
    start, change = (datetime.datetime(2026, month, 1, 9, tzinfo=datetime.UTC) for month in (1, 3))
    small = {"disk_gb": "50", "ram_gb": "4", "vcpu": "2"}
    ResourcePeriod.objects.create(resource=resource, plan=shop.bronze, quantities=small, valid_from=start,
                                  valid_until=change)  # fmt: skip
    ResourcePeriod.objects.create(resource=resource, plan=shop.gold, quantities={**small, "ram_gb": "1500"},
                                  valid_from=change)  # fmt: skip
    out = run(capsys, "resources", "list", "--project", "jets", "--state", "ok")
    assert f"#{resource.pk}" in out and "gold" in out and "ram_gb 1,500" in out and "1 Mar 2026" in out
    assert "No resource." in run(capsys, "resources", "list", "--state", "erred")
    shown = run(capsys, "resources", "show", str(resource.pk))
    assert "manual vm-7" in shown and "bronze" in shown and "1 Jan 2026" in shown and "now" in shown
    detail = json.loads(run(capsys, "resources", "show", str(resource.pk), "--json"))
    assert [p["plan_code"] for p in detail["periods"]] == ["bronze", "gold"]
    assert detail["current_period"]["quantities"]["ram_gb"] == "1500"
    [row] = json.loads(run(capsys, "resources", "list", "--json"))
    assert row["id"] == resource.pk and "periods" not in row
