from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mesocentre.core"
    label = "core"
    verbose_name = "Core"
