"""GDPR erasure: a person is pseudonymised everywhere the platform holds them, and what happened stays.

The account's row is kept, under the pseudonym ``erased-<pk>``, so that everything that points to it (the requests
they submitted, the decisions they recorded, their memberships, the operations they asked for) still says that one
same person did it. What identifies them goes: names, address, password, Unix login, identity provider subject,
tokens, sessions, login attempts; in the audit log, the usage records and the operation queue, their identifiers
become the pseudonym. Amounts, accounts, dates and actions are left as they were.

One transaction: either everything is erased, or nothing is. Three doors call ``erase``: the API
(``POST /api/tenancy/users/<id>/erase/``), the admin's action on the user list, ``mesocentre users erase``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.audit.models import AuditEntry
from mesocentre.core.actor import current_actor
from mesocentre.core.pseudonyms import replace_words
from mesocentre.core.roles import is_operator
from mesocentre.tenancy.models import ApiToken, User
from mesocentre.tenancy.registry import Event, announce

PSEUDONYM_PREFIX = "erased-"
# Unique on the platform (the e-mail in practice: a change to an address in use is refused): wherever one of these
# strings stands whole, it is this person, and it becomes the pseudonym.
IDENTIFIERS = ("username", "email", "unix_login", "oidc_subject")
# Not unique: another "Marie" must keep her name, so first and last names are blanked in the entries about this
# person only; their full name, which names them, goes everywhere.
NAMES = ("first_name", "last_name")


@dataclass
class Erasure:
    """What an erasure did: the pseudonymised user, and how many rows of what changed or went."""

    user: User
    pseudonym: str
    done: dict[str, int] = field(default_factory=dict)


def pseudonym_for(user: User) -> str:
    return f"{PSEUDONYM_PREFIX}{user.pk}"


def check_may_erase(actor: User | None, user: User) -> None:
    """Refuse (PermissionDenied) unless ``actor`` may erase ``user``.

    ``actor`` None is the command line: whoever runs it holds the server and its database, there is nobody to refuse.
    Otherwise operators (and superusers) erase; an operator's or a superuser's account only a superuser (an operator
    could otherwise lock a colleague out for good); nobody erases themselves (their own session would go mid-way,
    and a second pair of eyes is cheap for what cannot be undone)."""
    if actor is None:
        return
    if not is_operator(actor):
        raise PermissionDenied(_("Only operators erase users."))
    if actor.pk == user.pk:
        raise PermissionDenied(_("Nobody erases their own account: ask another operator."))
    if (user.is_superuser or user.is_operator) and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser erases an operator or a superuser."))


def personal_values(user: User) -> dict[str, list[str]]:
    """{field: every non-empty value it had, the current one first}, for IDENTIFIERS, NAMES and ``full_name``.

    The past values (an address or a login changed since) are read from the audit log's entries about the user."""
    values: dict[str, list[str]] = {name: [] for name in (*IDENTIFIERS, *NAMES, "full_name")}
    snapshots = [{name: getattr(user, name) for name in (*IDENTIFIERS, *NAMES)}]
    about = AuditEntry.objects.filter(object_type=User._meta.label_lower, object_id=str(user.pk))
    for before, after in about.order_by("-pk").values_list("before", "after"):
        snapshots += [snapshot for snapshot in (before, after) if isinstance(snapshot, dict)]
    for snapshot in snapshots:
        full_name = " ".join(str(snapshot.get(name) or "").strip() for name in NAMES).strip()
        for name, value in (*((name, snapshot.get(name)) for name in (*IDENTIFIERS, *NAMES)), ("full_name", full_name)):
            if isinstance(value, str) and value and value not in values[name]:
                values[name].append(value)
    return values


def erase_user(actor: User | None, user: User) -> User:
    """Erase ``user`` (see the module); the pseudonymised user."""
    return erase(actor, user).user


def erase(actor: User | None, user: User) -> Erasure:
    """Erase ``user``; what was done. Refused (ValidationError) for a user already erased: nothing is left to do."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        check_may_erase(actor, user)
        if user.erased_at is not None:
            raise ValidationError(
                {"user": _("%(user)s was already erased: nothing is left to erase.") % {"user": user.username}}
            )
        pseudonym = pseudonym_for(user)
        if User.objects.filter(username=pseudonym).exclude(pk=user.pk).exists():
            raise ValidationError({"user": _("Another account is named %(name)s.") % {"name": pseudonym}})
        personal = personal_values(user)
        erasure = Erasure(user, pseudonym)
        _pseudonymise_row(user, pseudonym)  # Slurm drops them here: tenancy announces the login and activity
        for answer in announce(Event.USER_ERASING, user=user, pseudonym=pseudonym, personal=personal):
            erasure.done.update(answer)
        erasure.done.update(_pseudonymise_invitations(user, pseudonym, personal))
        erasure.done.update(_pseudonymise_logs(user, pseudonym, personal))
        erasure.done.update(_delete_traces(user, personal))
        _record(actor, user, pseudonym)
    return erasure


def _pseudonymise_row(user: User, pseudonym: str) -> None:
    user.username = pseudonym
    user.first_name = user.last_name = user.email = ""
    user.set_unusable_password()
    user.unix_login = user.oidc_subject = None
    # An erased account holds no power, and no cluster knows it (it is inactive). Its charter date, join date and
    # language stay: facts about an account, which name nobody.
    user.is_active = user.is_operator = user.is_reviewer = user.is_staff = user.is_superuser = False
    user.team_memberships.all().delete()  # an erased operator leaves their teams (User.save refuses it otherwise)
    user.erased_at = timezone.now()
    user._erasing = True  # the one change of a username User.save() allows
    user._audit_skip = True  # the snapshots would hold what is erased: _record writes the entry instead
    try:
        user.save()
    finally:  # for this save only: a later save of the instance is an ordinary one
        del user._erasing, user._audit_skip
    user.groups.clear()
    user.user_permissions.clear()


def _replacements(personal: dict[str, list[str]], pseudonym: str) -> tuple[dict, dict]:
    """(whole JSON strings → their replacement, words of text → the pseudonym)."""
    identifiers = {value: pseudonym for name in IDENTIFIERS for value in personal[name]}
    # A full name stands whole in JSON only when it has two parts: "Marie" alone may be someone else.
    strings = {**{value: "" for value in personal["full_name"] if " " in value}, **identifiers}
    words = {**{value: pseudonym for value in personal["full_name"]}, **identifiers}
    return strings, words


def _pseudonymise_logs(user: User, pseudonym: str, personal: dict[str, list[str]]) -> dict[str, int]:
    from django.contrib.admin.models import LogEntry

    strings, words = _replacements(personal, pseudonym)
    fields = {**dict.fromkeys(IDENTIFIERS, pseudonym), **dict.fromkeys(NAMES, "")}
    audited = AuditEntry.objects.pseudonymise(
        user_id=user.pk,
        pseudonym=pseudonym,
        about=(User._meta.label_lower, str(user.pk)),
        fields=fields,
        strings=strings,
        words=words,
    )
    # Django's admin keeps its own history, with the object's name as it was.
    admin_entries = 0
    if words:
        named = Q()
        for word in words:
            named |= Q(object_repr__icontains=word)
        for entry in LogEntry.objects.filter(named).only("pk", "object_repr"):
            repr_ = replace_words(entry.object_repr, words)
            if repr_ != entry.object_repr:
                admin_entries += LogEntry.objects.filter(pk=entry.pk).update(object_repr=repr_)
    return {"audit entries pseudonymised": audited, "admin log entries pseudonymised": admin_entries}


def _pseudonymise_invitations(user: User, pseudonym: str, personal: dict[str, list[str]]) -> dict[str, int]:
    """Invitations name their invitee as typed (an address, a username): of every kind, those that reached them or
    were addressed to one of their names now say the pseudonym; who invited, to what, and the answer stay."""
    from mesocentre.tenancy.invitation_models import invitation_kinds

    addressed = Q(invitee=user)
    for value in personal["email"]:
        addressed |= Q(email__iexact=value)
    for value in personal["username"]:
        addressed |= Q(username=value)
    rewritten = sum(
        model.objects.filter(addressed).update(email="", username=pseudonym) for model in invitation_kinds().values()
    )
    return {"invitations pseudonymised": rewritten}


def _delete_traces(user: User, personal: dict[str, list[str]]) -> dict[str, int]:
    """What only served the person: their tokens, sessions and login attempts."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    tokens, _by_model = ApiToken.objects.filter(user=user).delete()
    # Sessions hold the user's id inside their signed data only: each one is decoded. That reads every live session,
    # which is fine for an erasure now and then; a session table of millions would want an index of its own.
    uid = str(user.pk)
    theirs = [s.pk for s in Session.objects.iterator() if s.get_decoded().get("_auth_user_id") == uid]
    sessions, _by_model = Session.objects.filter(pk__in=theirs).delete()
    # django-axes keys attempts by the name typed in: the username, or the address for those who type it.
    typed = Q(username__iexact=user.username)  # (never an empty filter, which would delete everyone's)
    for value in personal["username"] + personal["email"]:
        typed |= Q(username__iexact=value)
    attempts = sum(model.objects.filter(typed).delete()[0] for model in (AccessAttempt, AccessLog, AccessFailureLog))
    return {"API tokens deleted": tokens, "sessions deleted": sessions, "login records deleted": attempts}


def _record(actor: User | None, user: User, pseudonym: str) -> None:
    """The erasure's own entry: who erased, when (the entry's time), whom by the pseudonym; nothing personal."""
    AuditEntry.objects.create(
        user=actor,
        actor=actor.get_username() if actor is not None else current_actor()[1],
        action=AuditEntry.Action.UPDATE,
        object_type=User._meta.label_lower,
        object_id=str(user.pk),
        object_repr=pseudonym,
        before={"erased_at": None},
        after={"erased_at": user.erased_at.isoformat(), "username": pseudonym},
    )
