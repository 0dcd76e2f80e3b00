from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    name = "mesocentre.capacity"
    label = "capacity"
    verbose_name = _("Capacity")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.capacity import models

        register(models.Site, models.Host, models.Pod, models.Rack)
