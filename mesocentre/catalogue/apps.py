from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "mesocentre.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.catalogue import models

        register(models.PriceList, models.Offering, models.Plan, models.Component, models.Price)
