"""The verbs of calls and rounds: operators open a call, add its rounds and their budgets by theme and laboratory,
and close a round early. Re-exported by ``services``; each is one transaction, audited like every change."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core.roles import is_operator
from mesocentre.hpc import notifications
from mesocentre.hpc.models import Call, Round, RoundBudget


def _require_operator(actor, what: str) -> None:
    if not is_operator(actor):
        raise PermissionDenied(_("Only operators %(what)s.") % {"what": what})


@transaction.atomic
def create_call(actor, *, code: str, name: str, description: str = "") -> Call:
    _require_operator(actor, _("open calls"))
    return Call.objects.create(code=code, name=name, description=description)


@transaction.atomic
def create_round(actor, call: Call, **fields) -> Round:
    """A new round of ``call``; one open already is announced to the PIs now (the daily ``hpc notify`` would
    do it too, under the same key, so they hear of it once)."""
    _require_operator(actor, _("open rounds"))
    round_ = Round.objects.create(call=call, **fields)
    if round_.is_open:
        notifications.round_opened(round_)
    return round_


@transaction.atomic
def add_round_budget(actor, round_: Round, **fields) -> RoundBudget:
    """A line of the round's budget for one theme or one laboratory (``theme=`` or ``laboratory=``)."""
    _require_operator(actor, _("share out a round's budget"))
    # Two lines added at once must not both fit in what only one fits in: the round's lock serialises them.
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    return RoundBudget.objects.create(round=round_, **fields)


@transaction.atomic
def remove_round_budget(actor, line: RoundBudget) -> None:
    _require_operator(actor, _("share out a round's budget"))
    line.delete()


@transaction.atomic
def close_round(actor, round_: Round, now: datetime.datetime | None = None) -> Round:
    """The round closes now, before its date: no request is accepted from then on; what was asked stays."""
    _require_operator(actor, _("close rounds"))
    now = now or timezone.now()
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.closes_at <= now:
        raise ValidationError({"closes_at": _("This round is already closed.")})
    if round_.opens_at > now:
        raise ValidationError({"closes_at": _("This round has not opened yet: there is nothing to close.")})
    round_.closes_at = now
    round_.save()
    return round_
