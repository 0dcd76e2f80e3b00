"""Operators open calls and rounds, share a round's budget out by theme and laboratory, and close a round early."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mesocentre.hpc import notifications, services
from mesocentre.hpc.models import Call, Decision, Round, RoundBudget, SentNotification

DAY = datetime.timedelta(days=1)


def round_fields(now, **over):
    return {"name": "Spring", "opens_at": now - DAY, "closes_at": now + 20 * DAY, "cpu_budget": 1_000_000,
            "gpu_budget": 1_000, **over}  # fmt: skip


def test_only_operators_open_calls_and_rounds(w):
    with pytest.raises(PermissionDenied):
        services.create_call(w.pi, code="spring", name="Spring call")
    call = services.create_call(w.operator, code="spring", name="Spring call", description="Hours.")
    with pytest.raises(PermissionDenied):
        services.create_round(w.pi, call, **round_fields(timezone.now()))
    with pytest.raises(ValidationError) as refused:
        services.create_call(w.operator, code="new", name="New")
    assert "code" in refused.value.message_dict
    assert not call.rounds.exists() and not Call.objects.filter(code="new").exists()


def test_reviews_are_due_on_the_closing_day_or_after(w):
    now = timezone.now()
    closes = timezone.localdate(now + 20 * DAY)
    with pytest.raises(ValidationError) as refused:
        services.create_round(w.operator, w.call, **round_fields(now, reviews_due_on=closes - DAY))
    assert "reviews_due_on" in refused.value.message_dict
    assert not w.call.rounds.filter(name="Spring").exists()
    due = services.create_round(w.operator, w.call, **round_fields(now, reviews_due_on=closes + 7 * DAY))
    assert due.reviews_due == closes + 7 * DAY
    undated = services.create_round(w.operator, w.call, **round_fields(now, name="Summer"))
    assert undated.reviews_due == closes, "without a date, reviews are due when the round closes"


def test_a_round_created_open_is_announced_to_the_pis_once(w):
    w.pi.email = "pi@example.org"
    w.pi.save()
    now = timezone.now()
    opened = services.create_round(w.operator, w.call, **round_fields(now))
    record = SentNotification.objects.get(key=f"round-open:{opened.pk}")
    assert record.recipients == 1
    notifications.send_due(now + DAY)  # the daily run: the same key, no second e-mail
    assert SentNotification.objects.get(key=f"round-open:{opened.pk}").recipients == 1
    later = services.create_round(w.operator, w.call, **round_fields(now, name="Later", opens_at=now + 5 * DAY))
    assert not SentNotification.objects.filter(key=f"round-open:{later.pk}").exists()
    notifications.send_due(now + 6 * DAY)
    assert SentNotification.objects.get(key=f"round-open:{later.pk}").recipients == 1, "announced when it opens"


def test_theme_and_laboratory_lines_stay_within_the_rounds_budget(w):
    services.add_round_budget(w.operator, w.round, theme=w.theme, cpu_budget=600_000, gpu_budget=500)
    with pytest.raises(ValidationError) as refused:
        services.add_round_budget(w.operator, w.round, theme=w.other_theme, cpu_budget=500_000)
    assert "400,000 of 1,000,000" in refused.value.message_dict["cpu_budget"][0]
    with pytest.raises(ValidationError) as refused:
        services.add_round_budget(w.operator, w.round, theme=w.other_theme, cpu_budget=100, gpu_budget=501)
    assert "gpu_budget" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.add_round_budget(w.operator, w.round, theme=w.theme, cpu_budget=1)
    assert "already has a budget" in refused.value.message_dict["theme"][0]
    # Laboratory lines are another way of sharing the same hours: they do not add to the theme lines.
    services.add_round_budget(w.operator, w.round, laboratory=w.lab, cpu_budget=1_000_000, gpu_budget=1_000)
    for both_or_none in ({"theme": w.other_theme, "laboratory": w.other_lab}, {}):
        with pytest.raises(ValidationError) as refused:
            services.add_round_budget(w.operator, w.round, cpu_budget=1, **both_or_none)
        assert "one scientific theme or for one laboratory" in refused.value.message_dict["theme"][0]
    with pytest.raises(PermissionDenied):
        services.add_round_budget(w.pi, w.round, theme=w.other_theme, cpu_budget=1)
    assert w.round.budgets.count() == 2
    w.round.cpu_budget = 900_000  # below what the laboratory lines share out
    with pytest.raises(ValidationError) as refused:
        w.round.save()
    assert "cpu_budget" in refused.value.message_dict


@pytest.mark.parametrize(
    "line",
    [
        {"theme_id": None, "laboratory_id": None},
        {"theme": "theme", "laboratory": "lab"},
    ],
)
def test_the_database_refuses_a_line_for_neither_or_both(w, line):
    values = {k: getattr(w, v) if isinstance(v, str) else v for k, v in line.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundBudget.objects.bulk_create([RoundBudget(round=w.round, cpu_budget=1, **values)])


@pytest.mark.parametrize("subject", ["theme", "laboratory"])
def test_the_database_refuses_two_lines_for_one_subject(w, subject):
    target = {"theme": w.theme, "laboratory": w.lab}[subject]
    RoundBudget.objects.bulk_create([RoundBudget(round=w.round, cpu_budget=1, **{subject: target})])
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundBudget.objects.bulk_create([RoundBudget(round=w.round, cpu_budget=2, **{subject: target})])
    RoundBudget.objects.bulk_create([RoundBudget(round=w.closed, cpu_budget=1, **{subject: target})])
    assert RoundBudget.objects.filter(**{subject: target}).count() == 2, "another round has its own line"


def _decide(w, request, cpu, **extra):
    return services.decide(w.operator, request, cpu_core_hours=cpu, reason="Budget.", starts_on=datetime.date(2026, 7, 1),
                           ends_on=datetime.date(2027, 6, 30), **extra)  # fmt: skip


@pytest.mark.parametrize(
    "subject, words",
    [("theme", "The budget of the theme Fluid mechanics has 100,000 core-hours"),
     ("laboratory", "The budget of the laboratory lab — Lab has 100,000 core-hours")],
)  # fmt: skip
def test_deciding_beyond_a_theme_or_laboratory_budget_needs_the_override(w, subject, words):
    services.add_round_budget(w.operator, w.round, **{subject: w.theme if subject == "theme" else w.lab},
                              cpu_budget=100_000, gpu_budget=0)  # fmt: skip
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=120_000, justification="Runs.")
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        _decide(w, request, 110_000)
    [message] = refused.value.message_dict["override_budget"]
    assert message.startswith(words), message
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        _decide(w, request, 110_000, override_budget=True)
    assert "override_reason" in refused.value.message_dict
    assert not Decision.objects.exists(), "nothing half-written"
    assert _decide(w, request, 100_000).cpu_core_hours == 100_000, "within the line, no override"
    granted = _decide(w, request, 110_000, override_budget=True, override_reason="Strategic.")
    assert granted.cpu_core_hours == 110_000 and Decision.objects.get(request=request).override_budget


def test_the_round_summary_shows_each_lines_budget_and_what_is_left(w):
    services.add_round_budget(w.operator, w.round, theme=w.theme, cpu_budget=300_000, gpu_budget=600)
    services.add_round_budget(w.operator, w.round, theme=w.other_theme, cpu_budget=200_000, gpu_budget=0)
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=120_000, gpu_hours=100,
                                      justification="Runs.")  # fmt: skip
    _decide(w, request, 80_000, gpu_hours=100)
    summary = services.round_summary(w.round)
    rows = {row["code"]: row for row in summary["by_theme"]}
    assert (rows["fluids"]["budget_cpu"], rows["fluids"]["remaining_cpu"], rows["fluids"]["remaining_gpu"]) == (
        300_000, 220_000, 500)  # fmt: skip
    assert rows["chemistry"]["requests"] == 0 and rows["chemistry"]["remaining_cpu"] == 200_000
    assert summary["budgeted_by_theme"] and not summary["budgeted_by_laboratory"]
    assert summary["by_laboratory"][0]["budget_cpu"] is None


def test_closing_a_round_early(w):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.close_round(w.pi, w.round)
    closed = services.close_round(w.operator, w.round, now=now)
    assert closed.closes_at == now and Round.objects.get(pk=w.round.pk).closes_at == now
    with pytest.raises(ValidationError) as refused:
        services.close_round(w.operator, w.round, now=now + DAY)
    assert "already closed" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        services.submit_request(w.pi, w.project, closed, cpu_core_hours=1000, justification="Late.")
    assert "round" in refused.value.message_dict
    upcoming = services.create_round(w.operator, w.call, **round_fields(now, name="Later", opens_at=now + 2 * DAY))
    with pytest.raises(ValidationError) as refused:
        services.close_round(w.operator, upcoming, now=now)
    assert "not opened yet" in refused.value.messages[0]
    assert Round.objects.get(pk=upcoming.pk).closes_at == upcoming.closes_at
