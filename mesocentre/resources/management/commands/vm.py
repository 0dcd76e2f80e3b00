"""mesocentre vm place --tier T --vcpu N --ram-gb N --disk-gb N [--group NAME] [--site CODE] --dry-run [--json]:
where the assistant would put a new VM now, in the database's state, or the minimal set of rules that forbid it."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mesocentre.assistant.formats import TIERS, FormatError
from mesocentre.assistant.management.commands.assistant import render_place
from mesocentre.assistant.placement import SolverError
from mesocentre.assistant.services import Uncertified
from mesocentre.core import formatting
from mesocentre.resources.management.common import bad_input, choice
from mesocentre.resources.placements import answer, place_unplaced


class Command(BaseCommand):
    help = "VMs: where the assistant would place one now (--dry-run), or the rules that forbid it; certified."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        place = verbs.add_parser("place", help="where a new VM would go now, or why it cannot")
        place.add_argument("--tier", required=True, help="bronze, silver or gold")
        place.add_argument("--vcpu", required=True)
        place.add_argument("--ram-gb", dest="ram_gb", required=True)
        place.add_argument("--disk-gb", dest="disk_gb", required=True)
        place.add_argument("--group", help="its anti-affinity group")
        place.add_argument("--site", help="the site its primary must run on (its code)")
        place.add_argument(
            "--dry-run", dest="dry_run", action="store_true", help="answer only (a VM is placed by its order)"
        )
        place.add_argument("--json", action="store_true", help="print one JSON object")
        verbs.add_parser("adopt", help="place the VMs held before placements existed, each at the size it holds")

    def handle(self, *args, **options):
        if options["verb"] == "adopt":
            self.adopt()
            return
        if not options["dry_run"]:
            raise bad_input("--dry-run", _("a VM is placed when its order is carried out: this command only answers."))
        tier = choice("--tier", options["tier"], TIERS)
        sizes = {}
        for resource, option in (("vcpu", "--vcpu"), ("ram_gb", "--ram-gb"), ("disk_gb", "--disk-gb")):
            try:
                sizes[resource] = int(options[resource])
            except ValueError:
                raise bad_input(option, _("a whole number.")) from None
        try:
            result = answer(tier, sizes, site=options.get("site"), group=options.get("group"), largest=True)
        except FormatError as exc:
            option = {"vcpu": "--vcpu", "ram_gb": "--ram-gb", "disk_gb": "--disk-gb"}.get(exc.path, f"--{exc.path}")
            raise bad_input(option, exc.rule) from None
        except (Uncertified, SolverError) as exc:
            raise CommandError(_("No certified answer: %(reason)s") % {"reason": exc}, returncode=1) from None
        if result is None:
            raise CommandError(_("No host is recorded: this installation places no VM."), returncode=1)
        self.stdout.write(json.dumps(result, ensure_ascii=False) if options["json"] else render_place(result))

    def adopt(self) -> None:
        placed, refused = place_unplaced()
        for resource in placed:
            where = ", ".join(f"{p.get_role_display()}: {p.host or p.site}" for p in resource.placements.all())
            self.stdout.write(_("%(vm)s placed (%(where)s).") % {"vm": resource, "where": where})
        for resource, reasons in refused:
            self.stdout.write(_("%(vm)s not placed: %(why)s") % {"vm": resource, "why": " ".join(reasons)})
        self.stdout.write(
            _("%(placed)s VM(s) placed, %(refused)s not.")
            % {"placed": formatting.number(len(placed)), "refused": formatting.number(len(refused))}
        )
        if refused:
            raise CommandError(_("Some VMs found no room: see above."), returncode=1)
