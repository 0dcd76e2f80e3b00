"""Whether the clusters may know a person, and why not in words: a matter of the person (active, charter, login),
read by every app that provisions accounts on a cluster and by the pages that list members."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mesocentre.tenancy.charter_models import CharterVersion


def known_to_clusters(user) -> bool:
    """Whether the clusters may know ``user``: active, with the charter in force accepted, with a Unix login."""
    return user.is_active and user.charter_accepted_at is not None and bool(user.unix_login)


def slurm_exclusion_reason(user, charter_version=None) -> str | None:
    """Why ``user`` is left out of the clusters, in words; None when the clusters may know them.

    ``charter_version``: the charter's version in force, when the caller looked it up once for many users (else it
    is looked up here, only for a user who has not accepted it)."""
    if not user.is_active:
        return _("%(user)s's account is deactivated: no cluster knows them any more.") % {"user": user}
    if user.charter_accepted_at is None:
        # Only for the words: whether the clusters know them is the date.
        version = charter_version or CharterVersion.objects.in_force()
        if version is None:
            return _("%(user)s has not accepted the usage charter yet: no cluster knows them until they do.") % {
                "user": user
            }
        return _(
            "%(user)s has not accepted version %(number)s of the usage charter yet: no cluster knows them until "
            "they do."
        ) % {"user": user, "number": version.number}
    if not user.unix_login:
        return _("%(user)s has no Unix login yet: no cluster can know them.") % {"user": user}
    return None
