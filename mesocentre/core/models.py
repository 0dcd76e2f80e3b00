"""Base classes shared by every app's models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows what a user may see.

    Every model holding tenant data defines ``visible_to``; views, API and CLI never filter by hand,
    so the permission test proves the scoping once for all.
    """

    def visible_to(self, user):  # pragma: no cover - each model overrides it
        raise NotImplementedError(f"{self.model.__name__} must define visible_to()")


class PublicQuerySet(ScopedQuerySet):
    """Reference data that everyone may read (the catalogue, the themes)."""

    def visible_to(self, user):
        return self


class TimestampedModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Validation lives in the model: nothing reaches the database without passing clean().
        self.full_clean()
        super().save(*args, **kwargs)


class DemoState(models.Model):
    """The day the demo was first loaded: every date of the demo (an open round, allocations running, recent
    usage) is counted from it, so the demo looks alive whenever it is first loaded and the same on every run."""

    first_loaded_on = models.DateField(_("first loaded on"))

    class Meta:
        verbose_name = _("demo state")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="core_demostate_single_row")]

    def __str__(self) -> str:
        return f"demo first loaded on {self.first_loaded_on}"
