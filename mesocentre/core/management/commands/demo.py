from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from mesocentre.core.demo import load_demo


def serving_settings(addr: str) -> dict:
    """What the demo's server runs with: people who are not its developers look at it, so no debug pages (a 404
    listing every URL pattern, a 500 showing the settings). WhiteNoise still serves the static files straight from
    the package (``WHITENOISE_USE_FINDERS``, and ``WHITENOISE_AUTOREFRESH`` as the settings have it: it finds them
    at each request, so it needs no collectstatic step nor a STATIC_ROOT); the host of ``--addr`` is allowed."""
    host = addr.rpartition(":")[0] if ":" in addr else ""
    hosts = list(settings.ALLOWED_HOSTS)
    if host and host not in ("0.0.0.0", "[::]") and host not in hosts:  # a wildcard address has no one name
        hosts.append(host)
    # SETTINGS_MODULE: override_settings's holder would otherwise make runserver announce "using settings None".
    return {"DEBUG": False, "ALLOWED_HOSTS": hosts, "SETTINGS_MODULE": settings.SETTINGS_MODULE}


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
        # override_settings, not assignments: it also tells Django (template engines, caches of settings) they changed.
        with override_settings(**serving_settings(options["addr"])):
            call_command("runserver", options["addr"], use_reloader=False)
