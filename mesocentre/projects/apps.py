from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "mesocentre.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.projects import adoption, listeners, models, services
        from mesocentre.provisioning.slurm.adoption import register_importer
        from mesocentre.provisioning.slurm.reconcile import register_desired_state

        register(*(getattr(models, name) for name in models.__all__ if name != "SentNotification"))
        # Reconciliation compares Slurm with what the projects say it should hold.
        register_desired_state(services.desired_slurm_state)
        # An accepted invitation joins through the verb, which the models below it do not import.
        models.invitations.set_joiner(services.join_project)
        # ``mesocentre slurm import`` turns an existing cluster's accounts into projects.
        register_importer(adoption.import_accounts)
        # Establishments' codes and users' logins live in tenancy, below: it announces their changes.
        listeners.connect()
