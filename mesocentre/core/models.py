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
