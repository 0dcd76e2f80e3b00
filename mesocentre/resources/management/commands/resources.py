"""mesocentre resources list | show: what the projects hold, and each resource's dated history of sizes."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from mesocentre.core import formatting
from mesocentre.projects.models import Project
from mesocentre.resources.api.serializers import ResourceDetailSerializer, ResourceSerializer
from mesocentre.resources.management.common import bad_input, choice, sizes, table
from mesocentre.resources.models import Resource, ResourcePeriod


def _with_periods(queryset, *, history: bool):
    """As the API reads them: the period in force of each row (a list), or every period (one resource)."""
    periods = ResourcePeriod.objects.select_related("plan").order_by("valid_from", "pk")
    if history:
        return queryset.prefetch_related(Prefetch("periods", queryset=periods, to_attr="history"))
    open_periods = periods.filter(valid_until__isnull=True)
    return queryset.prefetch_related(Prefetch("periods", queryset=open_periods, to_attr="open_periods"))


class Command(BaseCommand):
    help = "Resources: list what the projects hold (by project, by state); show one with its history of sizes."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("list", help="the resources, by project and name, each at its size in force")
        listing.add_argument("--project", help="only this project's (its code)")
        listing.add_argument("--state", help="only the resources in this state (ok, erred, terminated…)")
        listing.add_argument("--json", action="store_true", help="print them as the API does, in one JSON list")
        show = verbs.add_parser("show", help="one resource and every period of its life")
        show.add_argument("resource", type=int, help="the resource's id")
        show.add_argument("--json", action="store_true", help="print it as the API does")

    def handle(self, *args, **options):
        if options["verb"] == "list":
            self.list(options)
        else:
            self.show(options)

    def list(self, options: dict) -> None:
        state = choice("--state", options.get("state"), Resource.State.values)
        rows = _with_periods(Resource.objects.select_related("project", "offering"), history=False)
        if state:
            rows = rows.filter(state=state)
        if options.get("project"):
            project = Project.objects.filter(code=options["project"]).first()
            if project is None:
                raise bad_input("--project", _("no project has the code %(code)s.") % {"code": options["project"]})
            rows = rows.filter(project=project)
        if options["json"]:
            self.stdout.write(json.dumps(ResourceSerializer(rows, many=True).data, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write(_("No resource."))
            return
        lines = [[_("id"), _("project"), _("offering"), _("name"), _("state"), _("plan"), _("size"), _("since")]]
        for resource in rows:
            current = resource.open_periods[0] if resource.open_periods else None
            lines.append(
                [
                    f"#{resource.pk}",
                    resource.project.code,
                    resource.offering.code,
                    resource.name,
                    resource.get_state_display(),
                    current.plan.code if current else "",
                    sizes(current.quantities) if current else "",
                    formatting.day(current.valid_from) if current else "",
                ]
            )
        self.stdout.write(table(lines))

    def show(self, options: dict) -> None:
        queryset = _with_periods(Resource.objects.select_related("project", "offering"), history=True)
        resource = queryset.filter(pk=options["resource"]).first()
        if resource is None:
            raise bad_input("RESOURCE", _("no resource has the id %(id)s.") % {"id": options["resource"]})
        if options["json"]:
            self.stdout.write(json.dumps(ResourceDetailSerializer(resource).data, ensure_ascii=False))
            return
        facts = [
            (_("project"), resource.project.code),
            (_("offering"), resource.offering.code),
            (_("state"), resource.get_state_display()),
            (_("backend"), f"{resource.backend} {resource.backend_id}".strip()),
            (_("address"), resource.address),
            (_("host"), resource.host),
        ]
        self.stdout.write(f"#{resource.pk} {resource.name}")
        for label, value in facts:
            self.stdout.write(f"  {label}: {value or '—'}")
        if not resource.history:
            self.stdout.write(_("Not started yet: no period."))
            return
        lines = [[_("from"), _("until"), _("plan"), _("size")]]
        for period in resource.history:
            until = formatting.moment(period.valid_until) if period.valid_until else _("now")
            lines.append([formatting.moment(period.valid_from), until, period.plan.code, sizes(period.quantities)])
        self.stdout.write(table(lines))
