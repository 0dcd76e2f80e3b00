"""mesocentre assistant place|consolidate: the decision assistant on JSON files (what-if studies, benchmarks)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mesocentre.assistant.consolidate import Unplaceable
from mesocentre.assistant.formats import RESOURCES, FormatError, load_json
from mesocentre.assistant.placement import SolverError
from mesocentre.assistant.services import Uncertified, consolidate_instance, place_request
from mesocentre.core.formatting import number


class Command(BaseCommand):
    help = "Place a VM against a state, or consolidate an instance, from JSON files; every answer certified."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        place = verbs.add_parser("place", help="where one VM goes, or the minimal set of rules that forbid it")
        place.add_argument("--state", required=True, help="the hosts and the VMs placed on them (JSON)")
        place.add_argument("--vm", required=True, help="the VM to place (JSON)")
        place.add_argument("--json", action="store_true", help="print one JSON object")
        cons = verbs.add_parser("consolidate", help="a whole set of VMs on as few hosts as possible")
        cons.add_argument("--instance", required=True, help="the hosts and the VMs to place (JSON)")
        cons.add_argument("--time-limit", dest="time_limit", default="30", help="seconds (default: 30)")
        cons.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            if options["verb"] == "place":
                result = place_request(load_json(options["state"], "--state"), load_json(options["vm"], "--vm"))
                text = render_place(result)
            else:
                limit = _time_limit(options["time_limit"])
                result = consolidate_instance(load_json(options["instance"], "--instance"), time_limit=limit)
                text = render_consolidation(result)
        except FormatError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except (Uncertified, SolverError, Unplaceable) as exc:
            raise CommandError(_("No certified answer: %(reason)s") % {"reason": exc}, returncode=1) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False) if options["json"] else text)


def _time_limit(value: str) -> float:
    try:
        limit = float(value)
    except ValueError:
        limit = -1.0
    if not 0 < limit <= 86_400:
        raise FormatError("--time-limit", "must be a number of seconds above 0 and at most 86400")
    return limit


UNITS = {"vcpu": "vCPU", "ram_gb": "GB RAM", "disk_gb": "GB disk"}


def render_place(result: dict) -> str:
    lines = []
    if result["feasible"]:
        where = result["placement"]
        lines.append(_("Feasible: primary on %(host)s.") % {"host": where["host"]})
        if where["standby_host"]:
            lines.append(_("Standby on %(host)s.") % {"host": where["standby_host"]})
    else:
        lines.append(_("Not feasible. These rules, together, forbid it (each one is needed):"))
        lines += [f"  - [{item['rule']}] {item['text']}" for item in result["explanation"]]
    largest = result.get("largest")
    if largest:
        lines.append(_("The largest VM of this tier that fits now, the other sizes as asked:"))
        for resource in RESOURCES:
            value = largest[resource]
            figure = number(value) + " " + UNITS[resource] if value is not None else _("none fits")
            lines.append(f"  {resource}: {figure}")
    return "\n".join(lines)


def render_consolidation(result: dict) -> str:
    lines = [
        _("%(used)s hosts used; lower bound %(bound)s.")
        % {"used": number(result["hosts_used"]), "bound": number(result["lower_bound"])}
    ]
    for name, where in sorted(result["placements"].items()):
        standby = f" / {where['standby_host']}" if where["standby_host"] else ""
        lines.append(f"  {name}: {where['host']}{standby}")
    return "\n".join(lines)
