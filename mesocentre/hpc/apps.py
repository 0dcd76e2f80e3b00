from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class HpcConfig(AppConfig):
    name = "mesocentre.hpc"
    label = "hpc"
    verbose_name = pgettext_lazy("application", "HPC hours")

    def ready(self):
        from mesocentre.audit.registry import register, register_moved
        from mesocentre.catalogue.models import Offering
        from mesocentre.hpc import adoption, listeners, models, ordering, services
        from mesocentre.hpc.views import sections
        from mesocentre.provisioning.slurm.adoption import register_importer
        from mesocentre.provisioning.slurm.reconcile import register_desired_state
        from mesocentre.resources.registry import register_executor

        audited = [getattr(models, name) for name in models.__all__ if name != "SentNotification"]
        register(*audited)
        # Before the split (release 2026.12) these were the projects app's: the log's past entries name them so.
        for model in audited:
            register_moved(f"projects.{model._meta.model_name}", model)
        # Reconciliation compares Slurm with what the allocations say it should hold.
        register_desired_state(services.desired_slurm_state)
        # ``mesocentre slurm import`` turns an existing cluster's accounts into projects and allocations.
        register_importer(adoption.import_accounts)
        # Establishments' codes and users' logins live in tenancy, projects' members in projects, both below: they
        # announce their changes, and Slurm follows in the same transaction.
        listeners.connect()
        # A project's page and the projects' list show its hours, requests and consumption.
        sections.register()
        # HPC hours ordered outside the calls become an allocation, pushed to Slurm as the committee's are.
        register_executor(Offering.Kind.HPC, ordering.execute, ordering.withdraw, ordering.lock)
