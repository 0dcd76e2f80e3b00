from django.urls import reverse

from mesocentre.hpc import services


def test_pages_and_api_are_scoped(w, decided, client, api):
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_detail", kwargs={"code": "jets"}))
    assert page.status_code == 200 and "100,000" in page.content.decode()
    client.force_login(w.outside)
    assert client.get(reverse("projects:project_detail", kwargs={"code": "jets"})).status_code == 404
    api.force_authenticate(w.manager)  # manager of the paying establishment
    assert [p["code"] for p in api.get("/api/projects/projects/").json()["results"]] == ["jets"]
    api.force_authenticate(w.outside)
    assert api.get("/api/hpc/allocations/").json()["results"] == []


def test_reviews_hide_the_private_comment_from_the_pi(w, api):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    assignment = services.assign_reviewer(w.operator, request, w.outside)
    services.submit_review(w.outside, assignment, score=4, private_comment="secret", public_comment="public")
    api.force_authenticate(w.pi)
    assert api.get("/api/projects/reviews/").json()["results"] == [], "the PI reads reviews once decided"
    api.force_authenticate(w.outside)
    assert api.get("/api/projects/reviews/").json()["results"][0]["private_comment"] == "secret"
    from django.db import transaction

    with transaction.atomic():
        services.decide(
            w.operator, request, cpu_core_hours=1000, starts_on="2026-01-01", ends_on="2026-12-31", reason=""
        )
    api.force_authenticate(w.pi)
    [review] = api.get("/api/projects/reviews/").json()["results"]
    assert review["public_comment"] == "public" and "private_comment" not in review and "reviewer" not in review


def test_the_assigned_reviewer_writes_their_review_from_the_portal(w, client):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    assignment = services.assign_reviewer(w.operator, request, w.outside)
    path = reverse("hpc:review_form", kwargs={"pk": assignment.pk})
    client.force_login(w.pi)
    assert client.post(path, {"score": 5}).status_code == 404
    client.force_login(w.outside)
    assert client.get(path).status_code == 200
    response = client.post(path, {"score": 3, "private_comment": "p", "public_comment": "q"})
    assert response.status_code == 302
    assert assignment.review.score == 3
    round_page = client.get(reverse("hpc:round_detail", kwargs={"pk": w.round.pk})).content.decode()
    assert "jets" in round_page and "3/5" in round_page
    assert "By laboratory" not in round_page, "the per-laboratory breakdown is the operators'"


def test_operators_decide_and_assign_from_the_round_page(w, client):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    client.force_login(w.operator)
    round_path = reverse("hpc:round_detail", kwargs={"pk": w.round.pk})
    refused = client.post(round_path, {"request": request.pk, "reviewer": "insider"}, follow=True)
    assert "they belong to its laboratory" in refused.content.decode()
    assert client.post(round_path, {"request": request.pk, "reviewer": "outside"}).status_code == 302
    decide = reverse("hpc:decide", kwargs={"pk": request.pk})
    bad = client.post(decide, {"cpu_core_hours": 10, "gpu_hours": 0, "starts_on": "2026-01-01",
                               "ends_on": "2026-12-31", "cluster": "mesocentre"})  # fmt: skip
    assert bad.status_code == 400 and "Say why" in bad.content.decode()
    good = client.post(decide, {"cpu_core_hours": 1000, "gpu_hours": 0, "starts_on": "2026-01-01",
                                "ends_on": "2026-12-31", "cluster": "mesocentre"})  # fmt: skip
    assert good.status_code == 302 and w.project.allocations.get().cpu_core_hours == 1000
    summary = client.get(f"/api/hpc/rounds/{w.round.pk}/summary/").json()
    assert summary["granted_cpu"] == 1000 and summary["by_laboratory"][0]["code"] == "lab"


def test_a_pi_asks_for_hours_from_the_portal(w, client):
    client.force_login(w.pi)
    path = reverse("hpc:request_create", kwargs={"code": "jets"})
    assert client.get(path).status_code == 200
    closed = client.post(path, {"round": w.closed.pk, "cpu_core_hours": 1000, "gpu_hours": 0, "scratch_gb": 0,
                                "justification": "Late."})  # fmt: skip
    assert closed.status_code == 400, "a closed round is not even offered"
    ok = client.post(path, {"round": w.round.pk, "cpu_core_hours": 1000, "gpu_hours": 0, "scratch_gb": 0,
                            "justification": "Runs."})  # fmt: skip
    assert ok.status_code == 302 and w.project.requests.get().status == "submitted"
    page = client.get(reverse("projects:project_detail", kwargs={"code": "jets"})).content.decode()
    invited = client.post(reverse("projects:project_detail", kwargs={"code": "jets"}),
                          {"to": "student", "role": "member"}, follow=True)  # fmt: skip
    assert "Invitation recorded for student" in invited.content.decode()
    assert "Members" in page
    client.force_login(w.student)
    [invitation] = w.project.invitations.all()
    client.post(reverse("tenancy:invitation_answer", args=["project", invitation.pk, "accept"]))
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_detail", kwargs={"code": "jets"})).content.decode()
    assert "has not accepted the usage charter" in page, "the new member is shown, and why Slurm does not know them"


def test_an_establishment_paying_for_projects_cannot_be_deleted(w, api):
    api.force_authenticate(w.operator)
    response = api.delete(f"/api/tenancy/establishments/{w.cnrs.pk}/")
    assert response.status_code == 409
    assert "project" in response.json()["detail"]
    assert api.get(f"/api/tenancy/establishments/{w.cnrs.pk}/").status_code == 200


def test_the_project_page_shows_consumption_against_the_grant(decided, w, client):
    from django.utils import timezone

    from mesocentre.metering.models import UsageRecord
    from mesocentre.projects.naming import account_name

    UsageRecord.objects.create(
        source="slurm:mesocentre",
        external_id="9",
        account=account_name(w.project.code),
        ended_at=timezone.now(),
        cpu_seconds=25_000 * 3600,
    )
    client.force_login(w.pi)
    page = client.get(f"/projects/{w.project.code}/").content.decode()
    assert "25,000 / 100,000" in page
    assert ": 25,000 of 100,000 core-hours consumed, from " in page  # the chart's aria-label


def test_the_operations_page_says_when_no_cluster_is_configured(decided, w, client, monkeypatch):
    monkeypatch.delenv("MESOCENTRE_SLURM_CLUSTER", raising=False)
    monkeypatch.delenv("SLURM_CONF", raising=False)
    client.force_login(w.operator)
    page = client.get("/provisioning/operations/").content.decode()
    assert "No Slurm cluster named <code>mesocentre</code> is configured" in page


def test_a_change_goes_from_the_pi_to_the_operators_and_raises_the_slurm_limit(w, decided, client, api):
    from mesocentre.hpc.models import ChangeRequest
    from mesocentre.provisioning.models import Operation

    client.force_login(w.pi)
    path = reverse("hpc:change_request_create", kwargs={"pk": decided.pk})
    refused = client.post(path, {"change_type": "extension", "justification": "Later."})
    assert refused.status_code == 400 and "An extension needs the new end date." in refused.content.decode()
    asked = {"change_type": "more_hours", "extra_cpu_core_hours": 5000, "extra_gpu_hours": 0, "justification": "More."}
    assert client.post(path, asked).status_code == 302
    change = ChangeRequest.objects.get()
    detail = client.get(reverse("projects:project_detail", kwargs={"code": "jets"})).content.decode()
    assert "Ask for a change" in detail and "Approve" not in detail, "the PI asks but does not decide"
    decide = reverse("hpc:change_request_decide", kwargs={"pk": change.pk})
    assert client.post(decide, {"approve": "yes"}).status_code == 403

    client.force_login(w.operator)
    listing = client.get(reverse("hpc:change_request_list")).content.decode()
    assert "jets" in listing and "More." in listing
    assert client.post(decide, {"approve": "yes", "back": "project"})["Location"].endswith("/jets/")
    change.refresh_from_db()
    assert change.status == "approved"
    latest = Operation.objects.filter(resource_key="mesocentre:jets").latest("pk")
    assert latest.target["limits"]["cpu"] == 105_000 * 60

    status = reverse("hpc:allocation_status", kwargs={"pk": decided.pk})
    assert client.post(status, {"status": "nonsense"}).status_code == 302
    decided.refresh_from_db()
    assert decided.status == "active", "an unknown status changes nothing"
    client.post(status, {"status": "suspended"})
    assert Operation.objects.filter(resource_key="mesocentre:jets").latest("pk").target["limits"]["cpu"] == 0
    api.force_authenticate(w.pi)
    assert api.post(f"/api/hpc/allocations/{decided.pk}/status/", {"status": "active"}).status_code == 403
    api.force_authenticate(w.operator)
    bad = api.post(f"/api/hpc/allocations/{decided.pk}/status/", {"status": "gone"})
    assert bad.status_code == 400 and "status" in bad.json()
    resumed = api.post(f"/api/hpc/allocations/{decided.pk}/status/", {"status": "active"})
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"


def test_the_pi_closes_the_project_from_its_page_and_the_api(w, decided, client, api):
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_detail", kwargs={"code": "jets"})).content.decode()
    assert "Close the project" in page
    assert client.post(reverse("projects:project_close", kwargs={"code": "jets"})).status_code == 302
    w.project.refresh_from_db()
    assert w.project.status == "closed"
    again = client.post(reverse("projects:project_close", kwargs={"code": "jets"}), follow=True).content.decode()
    assert "already closed" in again
    api.force_authenticate(w.pi)
    refused = api.post(f"/api/projects/projects/{w.project.pk}/close/")
    assert refused.status_code == 400 and "already closed" in str(refused.json())


def test_the_members_search_finds_names_and_addresses_for_operators_only(w, decided, api):
    """A project's people see usernames; searching by address would tell them whether a guessed one is a member."""
    w.pi.email, w.pi.last_name = "secret.person@univ.fr", "Secretname"
    w.pi.save()
    api.force_authenticate(w.pi)
    for guess in ("secret.person@", "Secretname"):
        assert api.get("/api/projects/memberships/", {"q": guess}).json()["count"] == 0
    assert api.get("/api/projects/memberships/", {"q": w.pi.username}).json()["count"] == 1
    api.force_authenticate(w.operator)
    assert api.get("/api/projects/memberships/", {"q": "secret.person@"}).json()["count"] == 1
