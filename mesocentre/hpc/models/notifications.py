"""Which notifications were sent, so that each one goes out once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SentNotification(models.Model):
    # e.g. "round-open:12", "usage-80:jets:mesocentre:600000", "expiring:7:2027-06-30"
    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("sent notification")

    def __str__(self) -> str:
        return self.key
