from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    name = "mesocentre.provisioning"
    label = "provisioning"
    verbose_name = _("Provisioning")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.core import notify
        from mesocentre.provisioning import listeners, metrics, models
        from mesocentre.provisioning.drivers import load_drivers, mail

        # Operations keep their own history (attempts, errors, who claimed and retried them); tasks and cluster
        # declarations are operators' decisions, recorded like every other change.
        register(models.ManualTask, models.SlurmCluster)
        load_drivers()
        # Finished operations hold Unix logins (a Slurm account's users): an erased person's become their pseudonym.
        listeners.connect()
        # Core's e-mails are queued here: core sits below the queue and never imports it.
        notify.set_outbox(mail.post)
        # The queue's gauges, read from the database when Prometheus scrapes /metrics.
        metrics.register()
