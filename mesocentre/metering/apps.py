from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "mesocentre.metering"
    label = "metering"
    verbose_name = _("Metering")

    def ready(self):
        from mesocentre.metering import listeners

        # Usage records hold the Unix logins of jobs: an erased person's become their pseudonym.
        listeners.connect()
