from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "mesocentre.capacity"
    label = "capacity"
    verbose_name = "Capacity"

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.capacity import models

        register(models.Site, models.Host)
