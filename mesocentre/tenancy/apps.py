from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "mesocentre.tenancy"
    label = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self):
        from mesocentre.audit.registry import register
        from mesocentre.tenancy import models

        register(
            models.User,
            models.Establishment,
            models.Laboratory,
            models.ScientificTheme,
            models.Membership,
            models.EstablishmentInvitation,
            models.CharterVersion,
            models.CharterAcceptance,
            models.Team,
            models.TeamMembership,
        )
