"""mesocentre hpc notify | expire: the allocation path's daily chores (run them from cron)."""

from django.core.management.base import BaseCommand

from mesocentre.hpc import notifications, services


class Command(BaseCommand):
    help = "Daily chores of the allocation path: send the due notifications, expire ended allocations."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("notify", help="rounds open, 80 %% and 100 %% consumed, allocations expiring")
        verbs.add_parser(
            "expire",
            help="queue the limits of the allocations that start today, expire those whose end date has passed "
            "(limits to 0 in Slurm), and remove the accounts whose grace period is over",
        )

    def handle(self, *args, **options):
        if options["verb"] == "notify":
            self.stdout.write(f"{notifications.send_due()} e-mail(s) queued (the worker sends them).")
        else:
            # The allocations starting today raise their project's limit today (a scheduled one counts from then).
            self.stdout.write(f"{len(services.start_due())} Slurm account(s) queued for allocations that started.")
            self.stdout.write(f"{len(services.expire_due())} allocation(s) expired.")
            removed = services.remove_after_grace()
            self.stdout.write(f"{len(removed)} Slurm account(s) past their grace period queued for removal.")
