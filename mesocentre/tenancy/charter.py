"""The centre's usage charter: whether a user still has to accept it before any cluster knows them.

The versions are rows (``CharterVersion``); the latest whose ``in_force_from`` has passed is in force, and each
acceptance is recorded (``CharterAcceptance``). ``User.charter_accepted_at`` stays the one field the clusters read:
"has accepted the version in force, at". It is set by ``accept``; when a new version comes into force,
``enforce`` clears it for everyone who has not accepted that version, one ``save()`` each, so that the user's
``USER_CHANGED`` announcement queues their projects' Slurm accounts without them (projects' listener).

A version comes into force in one of two ways, and both end in ``enforce``: published in force now (``publish``
calls it at once), or published for a later day, which the daily ``mesocentre users charter`` (run from cron with
``hpc expire``) brings into force once that day has come. ``enforce`` is idempotent: running it again, or
every day, changes nothing more. Between a version's day and the next daily run, the portal already asks the
user to accept (``must_accept`` reads the versions), while the clusters still know them until the run.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.core.roles import is_operator
from mesocentre.tenancy.charter_models import CharterAcceptance, CharterVersion, not_accepted


def in_force_for(user, at: datetime.datetime | None = None) -> CharterVersion | None:
    """The version in force, with ``accepted_by_user`` for ``user``, in one query; None before any version."""
    versions = CharterVersion.objects.with_acceptance_of(user)
    return versions.filter(in_force_from__lte=at or timezone.now()).order_by("-in_force_from", "-pk").first()


def must_accept(user) -> bool:
    """True while ``user`` has not accepted the charter in force (a new version asks again)."""
    if not user.is_authenticated:
        return False
    version = in_force_for(user)
    if version is None:  # an installation without versions yet: the denormalised date is all there is
        return user.charter_accepted_at is None
    return not version.accepted_by_user


@transaction.atomic
def accept(user, version: CharterVersion) -> CharterAcceptance:
    """``user`` accepts ``version`` (the one in force): recorded once; the clusters know them again."""
    in_force = CharterVersion.objects.in_force()
    if in_force is None or version.pk != in_force.pk:
        raise ValidationError({"version": _("Only the version in force is accepted.")})
    now = timezone.now()
    acceptance, _created = CharterAcceptance.objects.get_or_create(
        user=user, version=version, defaults={"accepted_at": now}
    )
    # The row as stored (the caller's copy may predate a new version), locked like every change of a cluster field.
    stored = get_user_model().objects.select_for_update().get(pk=user.pk)
    # Still unset, or the date of an older version the daily ``enforce`` has not cleared yet: now this one's.
    if stored.charter_accepted_at is None or stored.charter_accepted_at < version.in_force_from:
        stored.charter_accepted_at = acceptance.accepted_at
        stored.save()  # a cluster field: the listener queues the user's accounts with them
    user.charter_accepted_at = stored.charter_accepted_at
    user.remember_loaded()
    return acceptance


@transaction.atomic
def publish(actor, *, text: str, text_fr: str = "", in_force_from: datetime.datetime | None = None) -> CharterVersion:
    """Operators publish the next version; in force now (or from ``in_force_from``). In force now, it asks everyone
    again at once (``enforce``); later, the daily ``users charter`` does on its day."""
    if not is_operator(actor):
        raise PermissionDenied(_("Only operators publish the usage charter."))
    # The latest row, locked (an aggregate takes no lock): two publications at once number one after the other;
    # the very first two can still collide, and the unique number refuses the second as a 400, not a 500.
    latest = CharterVersion.objects.select_for_update().order_by("-number").first()
    try:
        with transaction.atomic():
            version = CharterVersion.objects.create(
                number=(latest.number if latest else 0) + 1,
                text=text,
                text_fr=text_fr,
                in_force_from=in_force_from or timezone.now(),
                published_by=actor,
            )
    except IntegrityError:
        raise ValidationError(_("Another version was published at the same moment: look at it first.")) from None
    enforce()
    return version


def enforce(at: datetime.datetime | None = None) -> int:
    """Clear ``charter_accepted_at`` of everyone who has not accepted the version in force at ``at`` (now), through
    ``save()`` so that their accounts are queued without them; how many. Idempotent (the daily job)."""
    from mesocentre.tenancy.models import User

    version = CharterVersion.objects.in_force(at)
    if version is None:
        return 0
    count = 0
    stale = User.objects.filter(charter_accepted_at__isnull=False).filter(not_accepted(version))
    for pk in stale.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # The row as it is now, locked: someone may have accepted, or been deactivated, since the list was read;
            # only the charter's date is written, so nothing else of a stale copy goes back to the database.
            user = stale.select_for_update(of=("self",)).filter(pk=pk).first()
            if user is None:
                continue
            user.charter_accepted_at = None
            user.save(update_fields=["charter_accepted_at"])
        count += 1
    return count


def adopt_existing(
    text: str = "", text_fr: str = "", in_force_from: datetime.datetime | None = None
) -> CharterVersion | None:
    """An installation from before the versions: users with ``charter_accepted_at`` and no version yet get version 1,
    in force from the earliest acceptance, and their acceptance of it. Idempotent; None when nobody accepted."""
    from mesocentre.tenancy.models import User

    accepted = User.objects.filter(charter_accepted_at__isnull=False)
    earliest = accepted.order_by("charter_accepted_at").values_list("charter_accepted_at", flat=True).first()
    version = CharterVersion.objects.order_by("number").first()
    if version is None:
        if earliest is None:
            return None
        version = CharterVersion.objects.create(
            number=1, text=text or ADOPTED_TEXT, text_fr=text_fr, in_force_from=in_force_from or earliest
        )
    if version != CharterVersion.objects.in_force():
        return version
    for user in accepted.filter(not_accepted(version)):
        CharterAcceptance.objects.create(user=user, version=version, accepted_at=user.charter_accepted_at)
    return version


# The wording an installation from before the versions gets as version 1: operators publish the real one after.
ADOPTED_TEXT = "The usage charter users accepted before the charter's versions were recorded."
