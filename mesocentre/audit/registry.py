"""Models register here to have every create, update and delete recorded with before and after.

A login is not a change: Django's ``update_last_login`` saves the user's ``last_login`` at every sign-in, which
made each login an "updated" entry of the person. ``last_login`` is bookkeeping, left out of the snapshots
(``UNAUDITED``), so that save changes nothing the log keeps and records nothing. Logins are not recorded here under
an action of their own either: django-axes already keeps each one (``AccessLog``: when, from which address, with
which browser, and the logout), erased with the person's other login records, and the audit log stays the record
of what was changed.
"""

import json
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import DecimalField
from django.db.models.signals import post_delete, post_save, pre_save
from django.forms.models import model_to_dict

from mesocentre.core.actor import current_actor

_registered: set = set()
# Never in a snapshot: the password (a secret, even hashed) and the time of the last sign-in (bookkeeping).
UNAUDITED = frozenset({"password", "last_login"})


def snapshot(instance) -> dict:
    data = model_to_dict(instance)
    for name in UNAUDITED:
        data.pop(name, None)
    for field in instance._meta.concrete_fields:
        # A Decimal as given (50.00) and as read back (50.000000) must compare equal: use the column's scale.
        if isinstance(field, DecimalField) and data.get(field.name) is not None:
            data[field.name] = Decimal(data[field.name]).quantize(Decimal(1).scaleb(-field.decimal_places))
    # Round-trip through JSON so Decimals, dates and querysets of related ids store cleanly.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


def register(*models) -> None:
    for model in models:
        _registered.add(model)
        pre_save.connect(_remember_before, sender=model, weak=False)
        post_save.connect(_record_save, sender=model, weak=False)
        post_delete.connect(_record_delete, sender=model, weak=False)


def registered_models() -> set:
    return set(_registered)


# An entry names its object by the model's label when it was written ("projects.allocation"); a model that moved to
# another app (the HPC split of release 2026.12) registers its old label, so that its past entries are read, found
# and filtered as its own. The entries themselves are never rewritten.
_moved: dict[str, type[models.Model]] = {}


def register_moved(old_label: str, model: type[models.Model]) -> None:
    _moved[old_label.lower()] = model


def moved_model(label: str) -> type[models.Model] | None:
    """The model an old label now names, or None."""
    return _moved.get(label.lower())


def labels_of(label: str) -> list[str]:
    """Every label the entries of a model carry: its own, and those it had before it moved."""
    return [label, *sorted(old for old, model in _moved.items() if model._meta.label_lower == label)]


def _remember_before(sender, instance, **kwargs):
    if getattr(instance, "_audit_skip", False):
        return
    if instance.pk is None:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None


def _record(instance, action, before, after):
    from mesocentre.audit.models import AuditEntry

    user, label = current_actor()
    if hasattr(user, "resolve"):
        user = user.resolve()
        label = user.get_username() if user else "anonymous"
    AuditEntry.objects.create(
        user=user,
        actor=label if user is None else user.get_username(),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def _record_save(sender, instance, created, raw=False, **kwargs):
    # ``_audit_skip``: the caller records the change itself (an erasure records one entry without the person's
    # data, where the snapshots would hold it).
    if raw or getattr(instance, "_audit_skip", False):
        return
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return  # a save that changed nothing is not a change
    _record(instance, "create" if created else "update", None if created else before, after)


def _record_delete(sender, instance, **kwargs):
    _record(instance, "delete", snapshot(instance), None)
    if instance._meta.label == settings.AUTH_USER_MODEL:
        from mesocentre.audit.models import AuditEntry

        # A person deleting their own account (or whose deletion cascades to what they changed) is the actor of
        # entries written during the deletion, after Django set the older ones' user to NULL: those would point to
        # a row gone at commit. The entries keep their name in ``actor``; the link goes, as SET_NULL intends.
        models.QuerySet.update(AuditEntry.objects.filter(user_id=instance.pk), user=None)
