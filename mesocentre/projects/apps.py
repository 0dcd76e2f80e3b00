from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "mesocentre.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.projects import listeners, models, services

        register(*(getattr(models, name) for name in models.__all__))
        # An accepted invitation joins through the verb, which the models below it do not import.
        models.invitations.set_joiner(services.join_project)
        # An establishment's new code must not be a project's (tenancy asks, below).
        listeners.connect()
