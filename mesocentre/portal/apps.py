from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "mesocentre.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from mesocentre.portal.rack_power import measured_energy
        from mesocentre.resources import registry

        # The racks' measured power on the occupancy page: metering's readings, read by resources through its registry.
        registry.set_power_meter(measured_energy)
