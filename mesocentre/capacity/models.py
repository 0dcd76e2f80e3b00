"""Sites and the hosts that run the cloud's VMs. The cloud issue adds PODs, racks and power."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator


class OperatorQuerySet(ScopedQuerySet):
    """Infrastructure: the operators see it; others see it only through capacity figures."""

    def visible_to(self, user):
        return self if is_operator(user) else self.none()


class Site(TimestampedModel):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_recovery_site = models.BooleanField(
        _("disaster-recovery site"), default=False, help_text=_("Holds the standby copies of gold VMs.")
    )
    storage_gb = models.PositiveIntegerField(_("useful storage (GB)"), default=0)
    backup_gb = models.PositiveIntegerField(_("backup storage (GB)"), default=0)

    objects = OperatorQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")

    def __str__(self) -> str:
        return self.name


class Host(TimestampedModel):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="hosts")
    name = models.CharField(_("name"), max_length=100, unique=True)
    vcpu = models.PositiveIntegerField(_("vCPU"), validators=[MinValueValidator(1)])
    ram_gb = models.PositiveIntegerField(_("RAM (GB)"), validators=[MinValueValidator(1)])
    in_maintenance = models.BooleanField(_("in maintenance"), default=False)

    objects = OperatorQuerySet.as_manager()

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("host")

    def __str__(self) -> str:
        return self.name
