"""The verbs of a resource's history: its first period, each change of plan or size, its end.

Each verb locks the resource's row, so that two changes at once close and open periods one after the other; the
open period is unique by a database constraint whatever path writes one.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mesocentre.catalogue.models import Plan
from mesocentre.resources.models import Resource, ResourcePeriod, checked_quantities


def _locked(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().select_related("offering").get(pk=resource.pk)


@transaction.atomic
def start(resource: Resource, plan: Plan, quantities: dict, at: datetime.datetime) -> ResourcePeriod:
    """The resource exists at last (its backend made it): its first period opens ``at``."""
    resource = _locked(resource)
    if resource.periods.exists():
        raise ValidationError(_("This resource has started already: change its size instead."))
    return ResourcePeriod.objects.create(resource=resource, plan=plan, quantities=quantities, valid_from=at)


@transaction.atomic
def change(resource: Resource, plan: Plan, quantities: dict, at: datetime.datetime) -> ResourcePeriod:
    """A resize or a change of tier, from ``at``: the open period closes there and the next one opens."""
    resource = _locked(resource)
    if resource.state == Resource.State.TERMINATED:
        raise ValidationError({"resource": _("This resource is terminated: it changes no more.")})
    current = resource.periods.filter(valid_until__isnull=True).select_related("plan").first()
    if current is None:
        raise ValidationError({"resource": _("This resource has not started yet: nothing to change.")})
    if plan.pk == current.plan_id and checked_quantities(plan, quantities) == current.quantities:
        raise ValidationError({"quantities": _("This is the resource's size already: nothing to change.")})
    if at <= current.valid_from:
        raise ValidationError({"at": _("A change starts after the period it ends began.")})
    current.valid_until = at
    current.save(update_fields=["valid_until", "last_updated"])
    return ResourcePeriod.objects.create(resource=resource, plan=plan, quantities=quantities, valid_from=at)


@transaction.atomic
def end(resource: Resource, at: datetime.datetime) -> ResourcePeriod | None:
    """The resource is gone (terminated): its open period closes ``at``; the history stays. A resource whose only
    period had not begun by ``at`` (HPC hours granted from a later day) held nothing: that period goes."""
    resource = _locked(resource)
    current = resource.periods.filter(valid_until__isnull=True).first()
    if current is None:
        return None
    if at <= current.valid_from:
        if resource.periods.count() == 1:
            current.delete()  # its only period had not begun: nothing was ever held, so nothing is history
            return None
        raise ValidationError({"at": _("A resource ends after its last period began.")})
    current.valid_until = at
    current.save(update_fields=["valid_until", "last_updated"])
    return current
