"""The allocation path's figures as people read them: pages, e-mails and refusals, in English and in French."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from mesocentre.hpc import services
from mesocentre.hpc.models import AllocationRequest
from mesocentre.hpc.models.calls import check_hours
from mesocentre.provisioning.models import Operation

NNBSP = "\u202f"  # French groups thousands with a narrow no-break space (from Babel, not from the .po)


def page(client, path: str, language: str) -> str:
    return client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_project_page_writes_hours_and_dates_in_the_readers_language(decided, w, client):
    client.force_login(w.pi)
    path = reverse("projects:project_detail", kwargs={"code": w.project.code})
    english = page(client, path, "en")
    assert "<td>100,000</td><td>500</td><td>1 Jan 2026 → 31 Dec 2026</td>" in english  # granted, dates
    assert '<td class="num">120,000</td>' in english  # asked
    assert "<dd>1 Jan 2026 → —</dd>" in english  # the project's own dates
    assert "<td>100000" not in english and "2026-01-01 →" not in english
    french = page(client, path, "fr")
    assert f"<td>100{NNBSP}000</td><td>500</td><td>1 janv. 2026 → 31 déc. 2026</td>" in french
    assert f'<td class="num">120{NNBSP}000</td>' in french


def test_the_round_page_writes_its_budget_and_its_dates(decided, w, client):
    client.force_login(w.operator)
    path = reverse("hpc:round_detail", kwargs={"pk": w.round.pk})
    english = page(client, path, "en")
    assert "<td>1,000,000</td><td>1,000</td>" in english  # the budget
    assert "<td>900,000</td><td>500</td>" in english  # what remains
    assert "14 Jun 2026, 12:00 → 25 Jun 2026, 12:00" in english  # 10:00 UTC, in Paris (summer time)
    french = page(client, path, "fr")
    assert f"<td>1{NNBSP}000{NNBSP}000</td><td>1{NNBSP}000</td>" in french
    assert "14 juin 2026, 12:00 → 25 juin 2026, 12:00" in french
    assert '<td class="num">10,0</td>' in french  # the share of the budget granted, in %


def test_a_french_e_mail_writes_hours_and_dates_in_french(w):
    w.pi.email, w.pi.preferred_language = "pi@example.org", "fr"
    w.pi.save()
    w.round.cpu_budget, w.round.gpu_budget = 2_000_000, 2_000
    w.round.save()
    with transaction.atomic():
        request = services.submit_request(
            w.pi, w.project, w.round, cpu_core_hours=1_500_000, gpu_hours=2_000, justification="Runs."
        )
        services.decide(
            w.operator,
            request,
            cpu_core_hours=1_500_000,
            gpu_hours=2_000,
            starts_on=datetime.date(2026, 7, 1),
            ends_on=datetime.date(2027, 6, 30),
        )
    [mail] = [
        op.target
        for op in Operation.objects.filter(backend="mail")
        if op.target["to"] == ["pi@example.org"] and "décision" in op.target["subject"]
    ]
    assert (
        f"1{NNBSP}500{NNBSP}000 heures cœur et 2{NNBSP}000 heures GPU, du 1 juil. 2026 au 30 juin 2027" in mail["body"]
    )


def test_refusals_write_their_figures_and_dates_in_the_callers_language(w):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_hours(cpu_budget=10**12 + 1)
    assert refused.value.message_dict["cpu_budget"] == [
        "At most 1,000,000,000,000 hours: 1,000,000,000,001 is beyond any budget."
    ]
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        check_hours(cpu_budget=10**12 + 1)
    assert f"1{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}001" in refused.value.message_dict["cpu_budget"][0]

    too_much = AllocationRequest(project=w.project, round=w.round, cpu_core_hours=1_000_001, justification="x")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        too_much.clean()
    assert refused.value.message_dict["cpu_core_hours"] == ["A request asks at most its round's budget: 1,000,000."]

    late = AllocationRequest(
        project=w.project, round=w.closed, cpu_core_hours=10, justification="x", submitted_at=w.round.opens_at
    )
    late.status = AllocationRequest.Status.SUBMITTED
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        late.clean()
    opens, closes = w.closed.opens_at, w.closed.closes_at  # 10:00 UTC: 12:00 in Paris, in April and May
    assert refused.value.message_dict["round"] == [
        f"This round is not open: it accepts requests from {opens.day} Apr 2026, 12:00 to {closes.day} May 2026, 12:00."
    ]
