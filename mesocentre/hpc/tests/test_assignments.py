"""A reviewer's list of assignments: not yet reviewed first, then the earliest due."""

import datetime

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mesocentre.hpc import services
from mesocentre.hpc.models import Round

DAY = datetime.timedelta(days=1)
PATH = "/hpc/assignments/"


def _project(w, code):
    return services.create_project(w.pi, code=code, title=code.title(), laboratory=w.lab, paying_establishment=w.univ,
                                   theme=w.theme, starts_on=datetime.date(2026, 1, 1))  # fmt: skip


def _assign(w, project, round_, reviewer):
    request = services.submit_request(w.pi, project, round_, cpu_core_hours=1000, justification="Runs.")
    return services.assign_reviewer(w.operator, request, reviewer)


def test_still_to_review_first_then_the_earliest_due(w, client):
    now = timezone.now()
    soon = Round.objects.create(call=w.call, name="Soon", opens_at=now - DAY, closes_at=now + 3 * DAY,
                                cpu_budget=1_000_000)  # fmt: skip
    late = Round.objects.create(call=w.call, name="Late", opens_at=now - DAY, closes_at=now + 3 * DAY,
                                cpu_budget=1_000_000, reviews_due_on=timezone.localdate(now) + 40 * DAY)  # fmt: skip
    # w.round closes in 10 days, no due date: reviews are due then.
    plan = [("a-late", late, False), ("b-open", w.round, False), ("c-soon", soon, True), ("d-soon", soon, False),
            ("e-late", late, True)]  # fmt: skip
    made = {}
    for code, round_, reviewed in plan:
        made[code] = _assign(w, _project(w, code), round_, w.outside)
        if reviewed:
            services.submit_review(w.outside, made[code], score=4)
    client.force_login(w.outside)
    response = client.get(reverse("hpc:assignment_list"))
    assert reverse("hpc:assignment_list") == PATH and response.status_code == 200
    order = [a.request.project.code for a in response.context["rows"]]
    assert order == ["d-soon", "b-open", "a-late", "c-soon", "e-late"]
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert f'href="{reverse("hpc:review_form", args=[made["d-soon"].pk])}"' in page
    assert "Not yet" in page and "Yes (4/5)" in page
    due = (timezone.localdate(now) + 40 * DAY).strftime("%-d %b %Y")
    assert due in page, "the round's due date, as people read it"


def test_a_decided_request_is_no_longer_offered_for_review(w, client):
    assignment = _assign(w, w.project, w.round, w.outside)
    with transaction.atomic():
        services.decide(w.operator, assignment.request, cpu_core_hours=1000, starts_on=datetime.date(2026, 7, 1),
                        ends_on=datetime.date(2027, 6, 30))  # fmt: skip
    client.force_login(w.outside)
    page = client.get(PATH).content.decode()
    assert "jets" in page and reverse("hpc:review_form", args=[assignment.pk]) not in page


def test_only_the_committee_reads_it_and_each_reviewer_reads_their_own(w, client):
    _assign(w, w.project, w.round, w.outside)
    client.force_login(w.pi)
    assert client.get(PATH).status_code == 403
    w.insider.memberships.all().delete()  # no conflict of interest any more, but not assigned
    client.force_login(w.insider)
    assert client.get(PATH).context["rows"] == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PATH).status_code == 200
    return len(queries)


def test_the_list_takes_as_many_queries_for_twenty_assignments_as_for_two(w, client):
    for i in range(2):
        services.submit_review(w.outside, _assign(w, _project(w, f"p{i}"), w.round, w.outside), score=3)
    client.force_login(w.outside)
    few = _queries(client)
    for i in range(2, 20):
        assignment = _assign(w, _project(w, f"p{i}"), w.round, w.outside)
        if i % 2:
            services.submit_review(w.outside, assignment, score=3)
    assert len(client.get(PATH).context["rows"]) == 20
    assert _queries(client) == few
