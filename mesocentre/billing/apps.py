from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "mesocentre.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.billing import sections
        from mesocentre.billing.chorus import driver  # noqa: F401 (registers the "chorus" backend)
        from mesocentre.billing.estimates import estimate
        from mesocentre.billing.models import Invoice
        from mesocentre.resources.registry import set_estimator

        # An order carries the calculator's own figures (billing is above resources, which asks through this).
        set_estimator(estimate)
        # Who issued each invoice and credit note, and when (their lines are written with them, in bulk).
        register(Invoice)
        # A project's page shows its costs to its PI and managers and to its paying establishment's managers.
        sections.register()
