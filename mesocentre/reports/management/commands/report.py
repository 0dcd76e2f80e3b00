"""mesocentre report usage|utilisation: consumption and spending by theme, establishment, laboratory or offering, and
each cluster's utilisation (core-hours used ÷ core-hours available), month by month. Every establishment's figures:
the command line is the operators'.

    report usage --by theme|establishment|laboratory|offering --year YYYY [--quarter N] [--json|--csv]
    report utilisation --year YYYY [--cluster NAME] [--json|--csv]
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mesocentre.core.formatting import money, number, percent
from mesocentre.reports import exports, forms
from mesocentre.reports.usage import AXES, usage_report
from mesocentre.reports.utilisation import utilisation

OPTIONS = {"by": "--by", "year": "--year", "quarter": "--quarter", "cluster": "--cluster"}


def _refusal(exc: ValidationError) -> CommandError:
    parts = [f"{OPTIONS.get(name, name)}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
    return CommandError("; ".join(parts), returncode=2)


class Command(BaseCommand):
    help = "Reports: consumption and spending by theme, establishment, laboratory or offering; clusters' utilisation."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        usage = verbs.add_parser("usage", help="core-hours, GPU-hours, kWh and amounts HT by an axis")
        usage.add_argument("--by", required=True, help=", ".join(AXES))
        usage.add_argument("--year", required=True, help="the year, as 2018")
        usage.add_argument("--quarter", help="one quarter of it, 1 to 4")
        formats = usage.add_mutually_exclusive_group()
        formats.add_argument("--json", action="store_true", help="print JSON")
        formats.add_argument("--csv", action="store_true", help="print CSV")
        rate = verbs.add_parser("utilisation", help="core-hours used ÷ available, by cluster and month")
        rate.add_argument("--year", required=True, help="the year, as 2018")
        rate.add_argument("--cluster", help="one cluster's name (default: every one)")
        formats = rate.add_mutually_exclusive_group()
        formats.add_argument("--json", action="store_true", help="print JSON")
        formats.add_argument("--csv", action="store_true", help="print CSV")

    def handle(self, *args, **options):
        try:
            if options["verb"] == "usage":
                return self._usage(options)
            return self._utilisation(options)
        except ValidationError as exc:
            raise _refusal(exc) from None

    def _usage(self, options):
        by, period = forms.read_usage(options, default_year=0)
        report = usage_report(by, period, scope=None)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        elif options["csv"]:
            self.stdout.write(exports.usage_csv(report), ending="")
        else:
            self.stdout.write(_("%(by)s, %(period)s") % {"by": str(AXES[by]).capitalize(), "period": period})
            for row in [*report.rows, report.total]:
                share = "" if row.core_share is None else percent(row.core_share, 1)
                self.stdout.write(
                    f"  {str(row.label)[:40]:<40} {number(row.core_hours, 0):>14} {_('core-hours')} {share:>7}"
                    f"  {number(row.gpu_hours, 0):>8} {_('GPU-hours')}  {number(row.kwh, 0):>8} kWh"
                    f"  {money(row.amount_ht):>14} {_('HT')}"
                )

    def _utilisation(self, options):
        year, cluster = forms.read_utilisation(options, default_year=0)
        clusters = utilisation(year, cluster)
        if options["json"]:
            self.stdout.write(json.dumps([c.as_dict() for c in clusters], indent=2, ensure_ascii=False))
        elif options["csv"]:
            self.stdout.write(exports.utilisation_csv(clusters), ending="")
        else:
            for item in clusters:
                cores = number(item.cores) if item.cores else _("unknown")
                self.stdout.write(_("%(cluster)s (%(cores)s cores), %(year)s") % {
                    "cluster": item.cluster, "cores": cores, "year": year})  # fmt: skip
                for index, month in enumerate([*item.months, item.total], start=1):
                    label = str(index) if index <= 12 else _("year")
                    rate = "" if month.percent is None else percent(month.percent, 1)
                    self.stdout.write(f"  {label:>5} {number(month.used, 0):>14} {_('core-hours')} {rate:>7}")
