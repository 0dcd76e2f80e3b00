"""A project's PI invites; the invitee joins on accepting, and the project's Slurm account follows."""

import re

from django.urls import reverse

from mesocentre.projects.models import ProjectInvitation, ProjectMembership
from mesocentre.provisioning.models import Operation


def test_the_invitee_joins_the_project_and_its_slurm_account_on_accepting(
    w, decided, api, client, mailoutbox, django_capture_on_commit_callbacks, deliver_mail
):
    w.student.email = "student@example.org"
    w.student.save()
    api.force_authenticate(w.pi)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/projects/invitations/", {"project": w.project.pk, "to": "student@example.org",
                                                           "role": "member"})  # fmt: skip
    assert response.status_code == 201 and response.json()["status"] == "pending"
    assert not ProjectMembership.objects.filter(user=w.student).exists()
    assert api.get("/api/projects/memberships/").json()["count"] == 1, "the PI sees no trace of them yet"
    deliver_mail()
    path = re.search(r"https?://[^/\s]+(/tenancy/invitations/open/\S+/)", mailoutbox[0].body).group(1)
    client.force_login(w.student)
    assert "join the project « Jets » as member" in client.get(path).content.decode()
    w.student.charter_accepted_at, w.student.unix_login = decided.created, "student"
    w.student.save()
    client.post(path, {"action": "accept"})
    assert ProjectMembership.objects.get(user=w.student, project=w.project).role == "member"
    target = Operation.objects.filter(resource_key="mesocentre:jets").latest("pk").target
    assert target["users"] == ["pi", "student"]
    assert ProjectInvitation.objects.get().status == "accepted"


def test_nobody_adds_a_project_member_directly(w, api):
    api.force_authenticate(w.pi)
    response = api.post("/api/projects/memberships/", {"project": w.project.pk, "user": w.student.pk})
    assert response.status_code == 405
    assert not ProjectMembership.objects.filter(user=w.student).exists()


def test_the_pi_revokes_and_the_link_then_opens_nothing(
    w, client, mailoutbox, django_capture_on_commit_callbacks, deliver_mail
):
    client.force_login(w.pi)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:project_detail", kwargs={"code": "jets"}), {"to": "x@example.org", "role": "member"}
        )
    invitation = ProjectInvitation.objects.get()
    client.post(reverse("tenancy:invitation_revoke", args=["project", invitation.pk]))
    assert ProjectInvitation.objects.get().status == "revoked"
    deliver_mail()
    path = re.search(r"https?://[^/\s]+(/tenancy/invitations/open/\S+/)", mailoutbox[0].body).group(1)
    assert "not valid any more" in client.get(path).content.decode()
