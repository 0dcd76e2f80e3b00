"""Base classes shared by every app's models."""

from django.core.exceptions import ValidationError
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


class TracksFields(models.Model):
    """Remembers the values of ``tracked_fields`` as loaded, so that ``save()`` knows what changed without asking
    the database again (a change some backend depends on must be announced in the same transaction)."""

    tracked_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_loaded()
        return instance

    def remember_loaded(self) -> None:
        loaded = self.get_deferred_fields()
        self._loaded_values = {name: getattr(self, name) for name in self.tracked_fields if name not in loaded}

    def loaded_value(self, name: str):
        """The value ``name`` had when this row was loaded (None for a new row)."""
        return getattr(self, "_loaded_values", {}).get(name)

    def changed_fields(self) -> dict:
        """{field: value as loaded} for every tracked field changed since; nothing for a row not saved yet."""
        if self._state.adding:
            return {}
        loaded = getattr(self, "_loaded_values", {})
        return {name: old for name, old in loaded.items() if getattr(self, name) != old}


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


class StateTable:
    """A model whose ``state`` moves only along its one table, ``TRANSITIONS`` (state → the states it may go to).

    ``transition_refusal`` is the model's sentence for a refused move, with ``%(old)s`` and ``%(new)s``: the states'
    labels in the reader's language."""

    TRANSITIONS: dict[str, frozenset[str]] = {}
    transition_refusal = _("This goes from “%(old)s” to “%(new)s” only along its transitions.")

    def set_state(self, state: str) -> None:
        """Change the state along ``TRANSITIONS``, or refuse saying from what to what (on the field ``state``)."""
        if state not in self.TRANSITIONS.get(self.state, frozenset()):
            labels = dict(self._meta.get_field("state").choices)
            message = self.transition_refusal % {
                "old": labels.get(self.state, self.state),
                "new": labels.get(state, state),
            }
            raise ValidationError({"state": message})
        self.state = state
