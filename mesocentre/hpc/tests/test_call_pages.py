"""The portal's pages of calls and rounds: operators open them, share budgets out, close rounds; past rounds stay."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mesocentre.hpc import services
from mesocentre.hpc.models import Call, Round, RoundBudget

ROUND = {"name": "Autumn", "opens_at": "2026-09-01T09:00", "closes_at": "2026-10-01T18:00", "cpu_budget": "500000",
         "gpu_budget": "100", "reviews_due_on": "2026-10-15"}  # fmt: skip


def test_an_operator_opens_a_call_adds_a_round_and_shares_its_budget(w, client):
    client.force_login(w.operator)
    listing = client.get(reverse("hpc:call_list")).content.decode()
    assert f'href="{reverse("hpc:call_create")}"' in listing
    page = client.get(reverse("hpc:call_create")).content.decode()
    assert page.count("<h1>") == 1 and 'for="id_code"' in page
    made = client.post(reverse("hpc:call_create"), {"code": "autumn", "name": "Autumn call"})
    assert made.status_code == 302 and made["Location"] == reverse("hpc:call_detail", args=["autumn"])
    call = Call.objects.get(code="autumn")
    assert client.get(reverse("hpc:round_create", args=["autumn"])).status_code == 200
    added = client.post(reverse("hpc:round_create", args=["autumn"]), ROUND)
    round_ = call.rounds.get()
    assert added["Location"] == reverse("hpc:round_budget_create", args=[round_.pk])
    assert round_.reviews_due_on == datetime.date(2026, 10, 15) and round_.cpu_budget == 500_000
    budgets = reverse("hpc:round_budget_create", args=[round_.pk])
    assert client.post(budgets, {"theme": w.theme.pk, "cpu_budget": 300_000, "gpu_budget": 0}).status_code == 302
    assert client.post(budgets, {"laboratory": w.lab.pk, "cpu_budget": 100_000, "gpu_budget": 50}).status_code == 302
    page = client.get(budgets).content.decode()
    assert page.count("<h1>") == 1 and "300,000" in page and 'class="danger"' in page and "data-confirm=" in page
    line = RoundBudget.objects.get(theme=w.theme)
    assert client.post(reverse("hpc:round_budget_delete", args=[line.pk])).status_code == 302
    assert list(round_.budgets.values_list("laboratory", flat=True)) == [w.lab.pk]


@pytest.mark.parametrize(
    "url, data, field, message",
    [
        ("call", {"code": "", "name": "X"}, "code", "This field is required"),
        ("call", {"code": "call", "name": "Other"}, "code", "already exists"),
        ("call", {"code": "new", "name": "New"}, "code", "names the page that opens a call"),
        ("round", {**ROUND, "closes_at": "2026-08-01T00:00"}, "closes_at", "closes after it opens"),
        ("round", {**ROUND, "reviews_due_on": "2026-09-30"}, "reviews_due_on", "the day the round closes, or after"),
        ("round", {**ROUND, "cpu_budget": "-1"}, "cpu_budget", "greater than or equal to 0"),
        ("round", {**ROUND, "opens_at": "soon"}, "opens_at", "Enter a valid date/time"),
        ("budget", {"cpu_budget": 1, "gpu_budget": 0}, "theme", "one scientific theme or for one laboratory"),
        ("budget", {"theme": "theme", "cpu_budget": 2_000_000, "gpu_budget": 0}, "cpu_budget", "1,000,000 of"),
        ("budget", {"laboratory": "lab", "cpu_budget": 1, "gpu_budget": 5_000}, "gpu_budget", "may not exceed"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(w, client, url, data, field, message):
    path = {
        "call": reverse("hpc:call_create"),
        "round": reverse("hpc:round_create", args=[w.call.code]),
        "budget": reverse("hpc:round_budget_create", args=[w.round.pk]),
    }[url]
    data = {k: getattr(w, v).pk if v in ("theme", "lab") else v for k, v in data.items()}
    counts = (Call.objects.count(), Round.objects.count(), RoundBudget.objects.count())
    client.force_login(w.operator)
    response = client.post(path, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert (Call.objects.count(), Round.objects.count(), RoundBudget.objects.count()) == counts


def test_an_operator_closes_an_open_round_from_its_page(w, client):
    client.force_login(w.pi)
    close = reverse("hpc:round_close", args=[w.round.pk])
    assert client.post(close).status_code == 403
    client.force_login(w.operator)
    page = client.get(reverse("hpc:round_detail", args=[w.round.pk])).content.decode()
    assert f'action="{close}" data-confirm="' in page and 'class="danger"' in page
    assert client.get(close).status_code == 405
    before = timezone.now()
    assert client.post(close).status_code == 302
    w.round.refresh_from_db()
    assert before <= w.round.closes_at <= timezone.now() and not w.round.is_open
    again = client.post(close, follow=True).content.decode()
    assert "already closed" in again
    past = client.get(reverse("hpc:round_detail", args=[w.round.pk])).content.decode()
    assert f'action="{close}"' not in past, "a closed round has nothing to close"


def test_past_rounds_stay_listed_and_reachable(w, client):
    client.force_login(w.operator)
    listing = client.get(reverse("hpc:call_list")).content.decode()
    past = reverse("hpc:round_detail", args=[w.closed.pk])
    assert f'href="{past}"' in listing and f'href="{reverse("hpc:round_detail", args=[w.round.pk])}"' in listing
    assert client.get(past).status_code == 200
    detail = client.get(reverse("hpc:call_detail", args=[w.call.code])).content.decode()
    assert detail.count("<h1>") == 1 and "Past rounds" in detail and f'href="{past}"' in detail
    client.force_login(w.pi)  # a PI reads the calls, but the rounds' pages are the committee's
    listing = client.get(reverse("hpc:call_list")).content.decode()
    assert w.closed.name in listing and f'href="{past}"' not in listing
    assert 'href="/hpc/calls/new/"' not in listing


def _calls(n: int, start: int = 0) -> None:
    now = timezone.now()
    for i in range(start, start + n):
        call = Call.objects.create(code=f"bulk-{i}", name=f"Bulk {i}")
        for j, offset in enumerate((-60, 0, 30)):
            Round.objects.create(call=call, name=f"R{j}", opens_at=now + datetime.timedelta(days=offset - 1),
                                 closes_at=now + datetime.timedelta(days=offset + 1), cpu_budget=1000)  # fmt: skip


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_call_list_takes_as_many_queries_for_twenty_calls_as_for_two(w, client):
    client.force_login(w.operator)
    _calls(1)  # with the world's call: 2
    few = _queries(client, reverse("hpc:call_list"))
    _calls(20, start=1)
    assert Call.objects.count() == 22
    assert _queries(client, reverse("hpc:call_list")) == few


def test_the_round_page_shows_the_lines_budget_and_what_is_left(w, client):
    services.add_round_budget(w.operator, w.round, theme=w.theme, cpu_budget=300_000, gpu_budget=0)
    client.force_login(w.operator)
    page = client.get(reverse("hpc:round_detail", args=[w.round.pk])).content.decode()
    assert "Core-hours left" in page and "300,000" in page


def test_the_api_opens_calls_and_rounds_and_closes_them_for_operators_only(w, api):
    services.add_round_budget(w.operator, w.round, theme=w.theme, cpu_budget=300_000, gpu_budget=0)
    services.add_round_budget(w.operator, w.round, laboratory=w.lab, cpu_budget=100_000, gpu_budget=0)
    body = {"call": w.call.pk, "name": "API", "opens_at": "2026-09-01T00:00:00Z", "closes_at": "2026-10-01T00:00:00Z",
            "cpu_budget": 1000, "reviews_due_on": "2026-09-15"}  # fmt: skip
    api.force_authenticate(w.pi)
    assert api.post("/api/hpc/calls/", {"code": "x", "name": "X"}, format="json").status_code == 403
    assert api.post("/api/hpc/rounds/", body, format="json").status_code == 403
    assert api.post(f"/api/hpc/rounds/{w.round.pk}/close/").status_code == 403
    mine = api.get(f"/api/hpc/rounds/{w.round.pk}/").json()
    assert [line["theme"] for line in mine["budgets"]] == [w.theme.pk], "the laboratory lines are the operators'"
    api.force_authenticate(w.operator)
    refused = api.post("/api/hpc/rounds/", body, format="json")
    assert refused.status_code == 400 and "reviews_due_on" in refused.json()
    assert not Round.objects.filter(name="API").exists()
    made = api.post("/api/hpc/rounds/", {**body, "reviews_due_on": "2026-10-02"}, format="json")
    assert made.status_code == 201 and made.json()["reviews_due_on"] == "2026-10-02"
    assert api.post("/api/hpc/calls/", {"code": "x", "name": "X"}, format="json").status_code == 201
    assert len(api.get(f"/api/hpc/rounds/{w.round.pk}/").json()["budgets"]) == 2
    closed = api.post(f"/api/hpc/rounds/{w.round.pk}/close/")
    assert closed.status_code == 200 and closed.json()["is_open"] is False
    again = api.post(f"/api/hpc/rounds/{w.round.pk}/close/")
    assert again.status_code == 400 and "already closed" in again.json()["closes_at"][0]


def test_the_decision_form_says_what_is_left_of_the_theme_and_laboratory_lines(w, client):
    services.add_round_budget(w.operator, w.round, theme=w.theme, cpu_budget=300_000, gpu_budget=0)
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    client.force_login(w.operator)
    page = client.get(reverse("hpc:decide", args=[request.pk])).content.decode()
    assert "Left in the budget of the theme Fluid mechanics: 300,000 core-hours" in page


def test_the_portal_refuses_a_decision_beyond_a_lines_budget_without_the_override(w, client):
    services.add_round_budget(w.operator, w.round, laboratory=w.lab, cpu_budget=500, gpu_budget=0)
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    client.force_login(w.operator)
    path = reverse("hpc:decide", args=[request.pk])
    data = {"cpu_core_hours": 1000, "gpu_hours": 0, "starts_on": "2026-07-01", "ends_on": "2027-06-30",
            "cluster": "mesocentre"}  # fmt: skip
    refused = client.post(path, data)
    assert refused.status_code == 400
    assert "laboratory lab — Lab has 500 core-hours" in refused.context["form"].errors["override_budget"][0]
    assert not hasattr(type(request).objects.get(pk=request.pk), "decision"), "nothing written"
    granted = client.post(path, {**data, "override_budget": "on", "override_reason": "Strategic."})
    assert granted.status_code == 302 and w.project.allocations.get().cpu_core_hours == 1000
