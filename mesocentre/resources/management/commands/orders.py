"""mesocentre orders list | approve | reject | cancel: the orders from the command line, as through the API."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mesocentre.core import formatting
from mesocentre.core.actor import acting_as
from mesocentre.resources import orders
from mesocentre.resources.api.serializers import OrderSerializer
from mesocentre.resources.management.common import bad_input, choice, refusals_as_exit_2, sizes, table
from mesocentre.resources.models import Order
from mesocentre.tenancy.models import Team, User


class Command(BaseCommand):
    help = "Orders: list them (by state, by team); approve, reject or cancel one in someone's name."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("list", help="the orders, newest first")
        listing.add_argument("--state", help="only the orders in this state (pending_consumer, executing…)")
        listing.add_argument("--team", help="only the orders of this operations team's offerings (its code)")
        listing.add_argument("--json", action="store_true", help="print them as the API does, in one JSON list")
        for verb, text in (
            ("approve", "approve for the project or for the offering's team, whichever the order awaits"),
            ("reject", "reject it, saying why"),
            ("cancel", "cancel it, saying why"),
        ):
            sub = verbs.add_parser(verb, help=text)
            sub.add_argument("order", type=int, help="the order's id")
            sub.add_argument("--by", required=True, help="the username of who decides (the service checks they may)")
            if verb != "approve":
                sub.add_argument("--reason", required=True, help="why: shown to whoever placed it")

    def handle(self, *args, **options):
        if options["verb"] == "list":
            return self.list(options)
        user = User.objects.filter(username=options["by"]).first()
        if user is None:
            raise bad_input("--by", _("no user is named %(name)s.") % {"name": options["by"]})
        order = Order.objects.filter(pk=options["order"]).first()
        if order is None:
            raise bad_input("ORDER", _("no order has the id %(id)s.") % {"id": options["order"]})
        with refusals_as_exit_2(), acting_as(user, f"{user.get_username()} (command line)"):
            if options["verb"] == "approve":
                order = orders.approve(order, user)
            else:
                verb = orders.reject if options["verb"] == "reject" else orders.cancel
                order = verb(order, user, options["reason"])
        self.stdout.write(_("Order #%(id)s: %(state)s.") % {"id": order.pk, "state": order.get_state_display()})

    def list(self, options: dict) -> None:
        state = choice("--state", options.get("state"), Order.State.values)
        rows = Order.objects.select_related("project", "offering", "plan", "resource", "created_by").order_by("-pk")
        if state:
            rows = rows.filter(state=state)
        if options.get("team"):
            team = Team.objects.filter(code=options["team"]).first()
            if team is None:
                codes = ", ".join(Team.objects.order_by("code").values_list("code", flat=True))
                raise bad_input("--team", _("choose one of %(choices)s.") % {"choices": codes})
            rows = rows.filter(offering__team=team)
        if options["json"]:
            self.stdout.write(json.dumps(OrderSerializer(rows, many=True).data, ensure_ascii=False))
            return
        self.stdout.write(render(list(rows)))


def render(rows: list[Order]) -> str:
    if not rows:
        return _("No order.")
    header = [_("id"), _("state"), _("type"), _("project"), _("offering"), _("name"), _("size"), _("per year")]
    lines = [header]
    for order in rows:
        year = (order.estimate or {}).get("year", {}).get("total_ttc")
        offering = f"{order.offering.code}/{order.plan.code}" if order.plan else order.offering.code
        lines.append(
            [
                f"#{order.pk}",
                order.get_state_display(),
                order.get_type_display(),
                order.project.code,
                offering,
                order.resource.name if order.resource else order.name,
                sizes(order.quantities),
                formatting.money(year, cents=True) if year else "",
            ]
        )
    return table(lines)
