from django.core.management import call_command
from django.core.management.base import BaseCommand

from mesocentre.core.demo import load_demo


class Command(BaseCommand):
    help = "Create the database, load the demo data of the service offer, and serve the portal on localhost."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Load the demo data and exit.")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Address to serve on (default %(default)s).")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        load_demo(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if options["no_serve"]:
            return
        self.stdout.write(f"Portal on http://{options['addr']}/ — demo accounts: see README (password 'demo').")
        call_command("runserver", options["addr"], use_reloader=False)
