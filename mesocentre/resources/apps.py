from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "mesocentre.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.projects.registry import Section, Where, register_section
        from mesocentre.provisioning.outcomes import register_outcome
        from mesocentre.resources import orders, views
        from mesocentre.resources.models import Order, Quota, RackReservation, Resource, ResourcePeriod

        register(Resource, ResourcePeriod, Order, Quota, RackReservation)
        # Every backend's end may end an order: the handler looks for the orders waiting on that operation.
        register_outcome(None, None, orders.record_outcome)
        # A project's page lists what it holds and its open orders.
        register_section(
            Section("resources", "resources/includes/project_section.html", views.project_section, Where.PAGE, order=20)
        )
