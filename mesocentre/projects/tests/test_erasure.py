"""An erased person (GDPR) is nowhere in the database any more, and everything they did is still there.

A researcher who joined, changed address and login, led a project, asked for hours that the committee granted, ran
jobs, held a token and a session and mistyped their password is erased through the API; then every row of every
table is read back as text.
"""

import datetime
import json
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from mesocentre.audit.models import AuditEntry
from mesocentre.core.actor import acting_as
from mesocentre.hpc import services
from mesocentre.hpc.models import AllocationRequest, Decision
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import ProjectMembership
from mesocentre.provisioning.models import Operation
from mesocentre.tenancy import invitations
from mesocentre.tenancy.erasure import erase_user
from mesocentre.tenancy.models import ApiToken, Membership, User
from mesocentre.tenancy.services import rotate_token

# Everything that names her, past values included. Distinctive strings, so that a match in the dump is hers.
USERNAME, FIRST, LAST = "jdupontel", "Jeanne", "Dupontel"
EMAIL, OLD_EMAIL = "jeanne.dupontel@univ.example", "jeanne@old-lab.example"
LOGIN, OLD_LOGIN = "jdupon", "jdold"
PERSONAL = (USERNAME, FIRST, LAST, EMAIL, OLD_EMAIL, LOGIN, OLD_LOGIN)


def dump() -> str:
    """Every value of every row of every table (many-to-many ones too), as text, JSON included."""
    rows = []
    for model in apps.get_models(include_auto_created=True):
        for values in model._base_manager.values_list():
            rows.append(json.dumps([model._meta.label, *values], default=str, ensure_ascii=False))
    return "\n".join(rows)


def latest(project) -> Operation:
    return Operation.objects.filter(backend="slurm", resource_key=f"mesocentre:{project.code}").latest("pk")


@pytest.fixture
def jeanne(w):
    """Her whole life on the platform, in the world of 2026-06-15."""
    x = w
    now = timezone.now()
    with acting_as(w.operator):
        x.jeanne = User.objects.create(
            username=USERNAME,
            first_name=FIRST,
            last_name=LAST,
            email=OLD_EMAIL,
            unix_login=OLD_LOGIN,
            charter_accepted_at=now,
        )
        x.jeanne.set_password("pw")
        x.jeanne.save()
        Membership.objects.create(user=x.jeanne, establishment=w.univ, laboratory=w.lab)
        x.vortex = services.create_project(
            w.operator,
            pi=x.jeanne,
            code="vortex",
            title="Vortex",
            laboratory=w.lab,
            paying_establishment=w.univ,
            theme=w.theme,
            starts_on=datetime.date(2026, 1, 1),
        )
    with acting_as(x.jeanne):
        x.request = services.submit_request(
            x.jeanne, x.vortex, w.round, cpu_core_hours=50_000, justification="Turbulence."
        )
    with acting_as(w.operator):
        x.allocation = services.decide(
            w.operator,
            x.request,
            cpu_core_hours=40_000,
            reason="Budget.",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
    # A worker applied the account with her first login, and said so.
    Operation.objects.filter(pk=latest(x.vortex).pk).update(
        state="done", finished_at=now, result={"added": [OLD_LOGIN]}
    )
    with acting_as(w.operator):  # an address confirmed, a login changed: the audit log holds the old ones
        x.jeanne.email, x.jeanne.unix_login = EMAIL, LOGIN
        x.jeanne.save()
    x.change = AuditEntry.objects.filter(object_type="tenancy.user", object_id=str(x.jeanne.pk)).first()
    assert x.change.before["unix_login"] == OLD_LOGIN and latest(x.vortex).target["users"] == [LOGIN]
    for n, login in enumerate((OLD_LOGIN, LOGIN, "someone")):
        UsageRecord.objects.create(
            source="slurm:mesocentre",
            external_id=str(n),
            account="vortex",
            user_login=login,
            started_at=now - datetime.timedelta(hours=2),
            ended_at=now - datetime.timedelta(hours=1),
            cpu_seconds=3600 * (n + 1),
            gpu_seconds=n,
        )
    rotate_token(x.jeanne)
    # Invited before she had an account, by her old address, and to another project by her username.
    link = lambda token: f"http://testserver/{token}/"  # noqa: E731
    x.invited = invitations.invite(w.manager, w.cnrs, OLD_EMAIL, link, role="member")
    x.invited_to_project = invitations.invite(w.pi, w.project, USERNAME, link, role="member")
    browser = Client(REMOTE_ADDR="198.51.100.9")
    assert browser.post("/login/", {"username": USERNAME, "password": "wrong"}).status_code == 200
    assert browser.post("/login/", {"username": EMAIL, "password": "wrong"}).status_code == 200
    assert browser.post("/login/", {"username": USERNAME, "password": "pw"}).status_code == 302
    x.browser = browser
    LogEntry.objects.create(
        user=w.operator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(x.jeanne.pk),
        object_repr=str(x.jeanne),
        action_flag=CHANGE,
        change_message="[]",
    )
    return x


def test_an_erased_person_is_in_no_table_and_what_they_did_stays(jeanne, api):
    w = jeanne
    dumped = dump().lower()
    assert all(value.lower() in dumped for value in PERSONAL), "the world holds all of her, to begin with"
    entries_before = Counter(AuditEntry.objects.values_list("object_type", "action"))
    by_her = AuditEntry.objects.filter(user=w.jeanne).count()
    usage_before = list(UsageRecord.objects.order_by("pk").values_list("account", "cpu_seconds", "gpu_seconds"))

    api.force_authenticate(w.operator)
    response = api.post(f"/api/tenancy/users/{w.jeanne.pk}/erase/")

    assert response.status_code == 200, response.content
    pseudonym = f"erased-{w.jeanne.pk}"
    profile = response.json()
    assert profile["username"] == pseudonym and profile["email"] == "" and profile["first_name"] == ""
    assert profile["unix_login"] is None and profile["is_active"] is False
    # (a) nothing of hers anywhere
    dumped = dump().lower()
    found = {value for value in PERSONAL if value.lower() in dumped}
    assert not found, f"still in the database: {found}"
    undelivered = Operation.objects.filter(backend="mail", last_error="Not sent: its recipient was erased.")
    assert undelivered.count() == 3 and {o.state for o in undelivered} == {"cancelled"}, "her e-mails never go out"
    # (b) the same row is still the one who asked, and leads the project; what was consumed is unchanged
    jeanne = User.objects.get(pk=w.jeanne.pk)
    assert jeanne.username == pseudonym and jeanne.erased_at is not None and not jeanne.has_usable_password()
    assert AllocationRequest.objects.get(pk=w.request.pk).submitted_by_id == jeanne.pk
    assert Decision.objects.get(request=w.request).decided_by_id == w.operator.pk
    assert ProjectMembership.objects.filter(project=w.vortex, user=jeanne, role="pi").exists()
    assert Membership.objects.filter(user=jeanne, establishment=w.univ).exists()
    assert list(UsageRecord.objects.order_by("pk").values_list("account", "cpu_seconds", "gpu_seconds")) == usage_before
    assert list(UsageRecord.objects.order_by("pk").values_list("user_login", flat=True)) == [
        pseudonym,
        pseudonym,
        "someone",
    ]
    # Slurm drops her: the newest target lists nobody (she was the only member), the older ones name the pseudonym
    newest = latest(w.vortex)
    assert newest.state == "pending" and newest.target["users"] == []
    assert "deactivated" in services.slurm_exclusion_reason(jeanne)
    assert Operation.objects.filter(target__users=[pseudonym]).count() == 2
    # (c) every entry is still there, hers under the pseudonym; the erasure added one, which names nobody
    entries_after = Counter(AuditEntry.objects.values_list("object_type", "action"))
    assert entries_after - entries_before == Counter({("tenancy.user", "update"): 1})
    assert entries_before - entries_after == Counter()
    assert AuditEntry.objects.filter(user=jeanne, actor=pseudonym).count() == by_her > 0
    assert AuditEntry.objects.filter(object_type="hpc.allocationrequest", action="update").exists()
    erasure = AuditEntry.objects.filter(object_type="tenancy.user", object_id=str(jeanne.pk)).first()
    assert erasure.user == w.operator and erasure.object_repr == pseudonym
    assert erasure.after["username"] == pseudonym
    change = AuditEntry.objects.get(pk=w.change.pk)  # "a new address and login": still said, by whom, when
    assert change.before["unix_login"] == change.after["unix_login"] == change.after["email"] == pseudonym
    assert (change.user, change.action, change.time) == (w.operator, "update", w.change.time)
    # her invitations stay (who invited her, to what), addressed to the pseudonym
    for invitation in (w.invited, w.invited_to_project):
        invitation.refresh_from_db()
        assert (invitation.username, invitation.email, invitation.status) == (pseudonym, "", "pending")
    # what only served her is gone: token, session (the browser is logged out), login attempts
    assert not ApiToken.objects.filter(user=jeanne).exists()
    assert not Session.objects.exists()
    assert w.browser.get("/tenancy/account/").status_code == 302


def test_a_superuser_erases_the_operator_who_decided_and_the_decision_stays_theirs(w, decided, user_factory):
    boss = user_factory("boss", is_superuser=True)
    decision = Decision.objects.get(request__project=w.project)
    with acting_as(w.operator):
        services.suspend_allocation(w.operator, decided)
    suspended = AuditEntry.objects.get(object_type="hpc.allocation", action="update", actor="op")
    with pytest.raises(PermissionDenied):
        erase_user(user_factory("colleague", is_operator=True), w.operator)
    erase_user(boss, w.operator)
    decision.refresh_from_db()
    assert decision.decided_by_id == w.operator.pk
    assert decision.decided_by.username == f"erased-{w.operator.pk}" and not decision.decided_by.is_operator
    assert AuditEntry.objects.filter(user=w.operator, actor="op").count() == 0
    suspended = AuditEntry.objects.get(pk=suspended.pk)
    assert (suspended.user, suspended.actor) == (w.operator, f"erased-{w.operator.pk}")
    assert suspended.after["status"] == "suspended"
