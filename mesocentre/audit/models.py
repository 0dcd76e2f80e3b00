"""The append-only record of who changed what, when."""

from collections.abc import Mapping
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mesocentre.core.pseudonyms import as_text, json_text_contains, replace_json_strings, replace_words


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user):
        from mesocentre.core.roles import is_operator

        return self if is_operator(user) else self.none()

    def update(self, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def delete(self):
        raise PermissionError("Audit entries are append-only.")

    def pseudonymise(
        self,
        *,
        user_id: int,
        pseudonym: str,
        about: tuple[str, str],
        fields: Mapping[str, Any],
        strings: Mapping[str, Any],
        words: Mapping[str, str],
    ) -> int:
        """GDPR erasure of a person: the ONE rewrite of existing entries the log allows (``update()``, ``delete()``
        and saving an existing entry are refused, always).

        - the entries made by them (``user_id``, or an ``actor`` label that is one of ``words``) get ``pseudonym``
          as actor;
        - the entries about them (``about``: object type and id) get ``fields`` ({field: new value}) in before and
          after, wherever the field held a value (an empty one stays empty: "a login was set" still shows);
        - every before and after gets the JSON strings that are exactly a key of ``strings`` replaced, and every
          object_repr the words of ``words``.

        The entries themselves, their actions, times, objects and every other value stay as they were: what happened
        is kept, only who it was is hidden. Returns how many entries changed.
        """
        object_type, object_id = about
        candidates = Q(user_id=user_id) | Q(object_type=object_type, object_id=object_id)
        candidates |= json_text_contains("before", strings) | json_text_contains("after", strings)
        if words:
            candidates |= Q(actor__in=list(words)) | reduce(or_, (Q(object_repr__icontains=w) for w in words))
        changed = 0
        for entry in as_text(self, "before", "after").filter(candidates).order_by("pk").iterator():
            own = entry.object_type == object_type and entry.object_id == object_id
            new = {
                "actor": pseudonym if entry.user_id == user_id or entry.actor in words else entry.actor,
                "object_repr": replace_words(entry.object_repr, words)[:200],
                "before": _pseudonymised(entry.before, fields if own else {}, strings),
                "after": _pseudonymised(entry.after, fields if own else {}, strings),
            }
            new = {name: value for name, value in new.items() if value != getattr(entry, name)}
            if new:
                # The base class's update: this class refuses every other one.
                models.QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), **new)
                changed += 1
        return changed


def _pseudonymised(snapshot, fields: Mapping[str, Any], strings: Mapping[str, Any]):
    if isinstance(snapshot, dict):
        snapshot = {k: (fields[k] if k in fields and v not in (None, "") else v) for k, v in snapshot.items()}
    return replace_json_strings(snapshot, strings)


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name as it was when the change was made; pseudonymised on GDPR erasure.
    actor = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")
