"""mesocentre budgets check [--date YYYY-MM-DD]: the budgets' daily chore (run it from cron, beside hpc notify)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mesocentre.billing.budgets import check_budgets


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else _refuse(text)
    except ValueError:
        return _refuse(text)


def _refuse(text: str):
    raise CommandError(f"--date: {text!r} is not a day written YYYY-MM-DD.", returncode=2)


class Command(BaseCommand):
    help = "Budgets: send the 80 % and 100 % alerts due (each once), for cron."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        check = verbs.add_parser("check", help="send the budgets' 80 %% and 100 %% alerts due, each once")
        check.add_argument("--date", help="the day to check as (YYYY-MM-DD; today by default)")

    def handle(self, *args, **options):
        today = _day(options["date"]) if options.get("date") else timezone.localdate()
        self.stdout.write(f"{check_budgets(today)} budget alert(s) sent (the worker delivers their e-mails).")
