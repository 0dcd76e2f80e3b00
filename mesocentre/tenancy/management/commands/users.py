"""mesocentre users erase USERNAME [--yes]: erase a person (GDPR), keeping what they did under a pseudonym."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from mesocentre.core.actor import acting_as
from mesocentre.tenancy import charter, erasure
from mesocentre.tenancy.models import User


class Command(BaseCommand):
    help = "Users' verbs for operators: erase a person (GDPR); bring the usage charter's new version into force."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        erase = verbs.add_parser(
            "erase",
            help="pseudonymise a person everywhere (audit log, usage, operations), deactivate and drop them from "
            "Slurm, delete their tokens, sessions and login attempts; what they did stays, under erased-<id>",
        )
        erase.add_argument("username", help="the username of the person to erase")
        verbs.add_parser(
            "charter",
            help="daily (cron): once a new version of the usage charter is in force, whoever has not accepted it is "
            "no longer known to the clusters until they do",
        )
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation (cannot be undone)")

    def handle(self, *args, **options):
        if options["verb"] == "charter":
            with acting_as(None, "command line (users charter)"):
                count = charter.enforce()
            self.stdout.write(f"{count} user(s) must accept the usage charter in force before the clusters know them.")
            return
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"username {username!r}: no such user.", returncode=2)
        if not options["yes"]:
            try:
                answer = input(f"Erase {username} (user #{user.pk})? This cannot be undone. Type 'yes': ")
            except EOFError:  # no terminal to ask: --yes says it
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError(f"{username} was not erased.", returncode=1)
        try:
            # Whoever runs the command holds the server: the system erases, the audit log says it was from here.
            with acting_as(None, "command line (users erase)"):
                done = erasure.erase(None, user)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(f"username {username!r}: {' '.join(messages)}", returncode=2) from exc
        self.stdout.write(f"Erased {username} (user #{user.pk}): now {done.pseudonym}, inactive, without a Unix login.")
        for what, count in done.done.items():
            self.stdout.write(f"  {count} {what}")
