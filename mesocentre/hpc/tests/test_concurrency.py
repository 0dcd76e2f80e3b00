"""Identical requests at once: one wins, the others get a 400 naming what is duplicated, never a 500.

Real concurrency: each thread has its own database connection (Django's are per thread), in a transactional test,
and the threads start together behind a barrier."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from mesocentre.hpc.models import AllocationRequest
from mesocentre.projects.models import ProjectMembership
from mesocentre.tenancy import invitations
from mesocentre.tenancy.invitation_models import EstablishmentInvitation
from mesocentre.tenancy.models import Membership

N = 6
ROOT = Path(__file__).resolve().parents[3]


def at_once(user, calls: list[tuple[str, dict]]) -> list:
    """POST each (path, data) from its own thread and connection, all together; the responses in order."""
    barrier = threading.Barrier(len(calls))
    responses: list = [None] * len(calls)

    def run(i, path, data):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            responses[i] = client.post(path, data, format="json")
        except Exception as exc:  # a 500 escapes the test client as the view's exception
            responses[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses


def statuses(responses) -> list:
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


@pytest.mark.django_db(transaction=True)
def test_six_identical_requests_at_once_make_one_request_and_five_400s(w):
    data = {"project": w.project.pk, "round": w.round.pk, "cpu_core_hours": 1000, "justification": "Runs."}
    responses = at_once(w.pi, [("/api/hpc/requests/", data)] * N)
    assert statuses(responses) == [201] + [400] * (N - 1)
    # Under the round key (the service), or in the serializer's own unique-together message if it saw the twin first.
    assert all("round" in json.dumps(r.json()) for r in responses if r.status_code == 400), "the field is named"
    assert AllocationRequest.objects.filter(project=w.project, round=w.round).count() == 1


@pytest.mark.django_db(transaction=True)
def test_accepting_one_invitation_six_times_at_once_joins_once(w):
    invitation = invitations.invite(w.pi, w.project, "student", lambda token: f"/open/{token}/")
    responses = at_once(w.student, [(f"/api/projects/invitations/{invitation.pk}/accept/", {})] * N)
    assert statuses(responses) == [200] + [400] * (N - 1)
    assert ProjectMembership.objects.filter(project=w.project, user=w.student).count() == 1


@pytest.mark.django_db(transaction=True)
def test_six_invitations_to_one_project_accepted_at_once_make_one_membership(w):
    pending = [invitations.invite(w.pi, w.project, "student", lambda token: f"/open/{token}/") for _ in range(N)]
    responses = at_once(w.student, [(f"/api/projects/invitations/{i.pk}/accept/", {}) for i in pending])
    assert statuses(responses) == [200] * N, "each invitation is accepted; the person joins once"
    assert ProjectMembership.objects.filter(project=w.project, user=w.student).count() == 1


@pytest.mark.django_db(transaction=True)
def test_six_invitations_to_one_establishment_accepted_at_once_make_one_membership(w):
    pending = [
        invitations.invite(w.manager, w.cnrs, "student", lambda token: f"/open/{token}/", role="member")
        for _ in range(N)
    ]
    assert all(isinstance(i, EstablishmentInvitation) for i in pending)
    responses = at_once(w.student, [(f"/api/tenancy/invitations/{i.pk}/accept/", {}) for i in pending])
    assert statuses(responses) == [200] * N
    assert Membership.objects.filter(establishment=w.cnrs, user=w.student).count() == 1


SQLITE_SETTINGS = """
from mesocentre.settings import *  # noqa: F403

# A file, as in the demo: an in-memory test database would use a shared cache, with other locking.
DATABASES["default"]["TEST"] = {{"NAME": {name!r}}}  # noqa: F405
"""


def test_the_same_on_sqlite_without_database_is_locked(tmp_path):
    """The tests above again, in a pytest of their own against a SQLite file (the demo's database)."""
    (tmp_path / "sqlite_settings.py").write_text(SQLITE_SETTINGS.format(name=str(tmp_path / "test.sqlite3")))
    env = {
        **os.environ,
        "MESOCENTRE_DATABASE_URL": f"sqlite:///{tmp_path / 'mesocentre.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "sqlite_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not sqlite", __file__],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
