"""mesocentre invoices draft --quarter 2026Q4 [--establishment CODE] [--json]: each establishment's draft for a
quarter, recomputed from what its projects held and used (``billing.rating``)."""

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mesocentre.billing import rating
from mesocentre.core.formatting import day, money, number
from mesocentre.tenancy.models import Establishment


class Command(BaseCommand):
    help = "Invoices: the quarter's drafts per establishment (issuing them comes next)."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        draft = verbs.add_parser("draft", help="compute each establishment's draft for a quarter")
        draft.add_argument("--quarter", required=True, help="the quarter, as 2026Q4")
        draft.add_argument("--establishment", help="one establishment's code (default: every one)")
        draft.add_argument("--json", action="store_true", help="print a JSON list of drafts")

    def handle(self, *args, **options):
        try:
            quarter = rating.Quarter.parse(options["quarter"])
        except ValidationError as exc:
            raise CommandError(f"--quarter: {' '.join(exc.message_dict['quarter'])}", returncode=2) from None
        establishments = Establishment.objects.order_by("code")
        if options.get("establishment"):
            establishments = establishments.filter(code=options["establishment"])
            if not establishments.exists():
                raise CommandError(
                    _("--establishment: no establishment has the code %(code)s.") % {"code": options["establishment"]},
                    returncode=2,
                )
        drafts = []
        total = establishments.count()
        for index, establishment in enumerate(establishments, start=1):
            drafts.append(rating.draft(establishment, quarter))
            if sys.stderr.isatty():  # progress for a person; nothing for a pipe
                sys.stderr.write(f"\r{index}/{total} {establishment.code:<30}")
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        if options["json"]:
            self.stdout.write(json.dumps([d.as_dict() for d in drafts], indent=2, ensure_ascii=False))
            return
        for draft in drafts:
            self._write(draft)

    def _write(self, draft: rating.Draft) -> None:
        data = draft.as_dict()
        self.stdout.write(
            _("%(establishment)s, %(quarter)s (draft): %(ht)s HT, %(vat)s VAT, %(ttc)s TTC")
            % {
                "establishment": draft.establishment.name,
                "quarter": data["quarter"],
                "ht": money(draft.total_ht, cents=True),
                "vat": money(draft.total_vat, cents=True),
                "ttc": money(draft.total_ht + draft.total_vat, cents=True),
            }
        )
        for line in draft.lines:
            self.stdout.write(
                f"  {line.project:<20} {line.description:<60} {number(line.quantity):>12} {line.unit:<12} "
                f"{money(line.unit_price_ht):>16} {money(line.amount_ht, cents=True):>14}  "
                f"{day(line.period_start)} – {day(line.period_end)}"
            )
        for entry in draft.annex:
            self.stdout.write(
                "  "
                + _("annex: %(project)s consumed %(hours)s core-hours of the %(granted)s granted, worth %(value)s")
                % {
                    "project": entry.project,
                    "hours": number(entry.quantity),
                    "granted": number(entry.granted_core_hours),
                    "value": money(entry.value_ht, cents=True),
                }
            )
