from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "mesocentre.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.resources.models import Resource, ResourcePeriod

        register(Resource, ResourcePeriod)
