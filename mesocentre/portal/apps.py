from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "mesocentre.portal"
    label = "portal"
    verbose_name = "Portal"
