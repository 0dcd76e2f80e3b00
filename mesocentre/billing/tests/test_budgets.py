# ruff: noqa: F811 (the fixtures of the invoices' tests, imported: pytest passes them by name)
"""Budgets: spent and forecast by hand, to the cent, on days passed explicitly; the 80 % and 100 % alerts, each
once; the API's refusals naming the field. The world of the invoices' tests (2026-06-15): the CNRS pays for "jets",
which holds a bronze VM since 2025 (48.13 € HT a quarter held, 192.50 € a year); EHESS pays for three; a company's
project "acme" uses HPC hours at the company's price (0.0115 € a core-hour)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from mesocentre.billing import budgets, invoicing
from mesocentre.billing.models import Budget, BudgetAlert, Invoice
from mesocentre.billing.tests.test_invoicing import Q1, billed, paying  # noqa: F401 (fixtures)
from mesocentre.billing.tests.test_rating import VM, held, midnight
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name
from mesocentre.provisioning.models import Operation
from mesocentre.tenancy.models import Laboratory

JUNE_15 = datetime.date(2026, 6, 15)  # Q2 2026 (91 days) has run 76 days, today counted


SERIAL = itertools.count(1)


def hours(project, day: datetime.date, core_hours: int):
    UsageRecord.objects.create(
        source="slurm:mesocentre",
        external_id=f"b{next(SERIAL)}",
        account=account_name(project.code),
        ended_at=midnight(day.year, day.month, day.day) + datetime.timedelta(hours=12),
        cpu_seconds=core_hours * 3600,
    )


@pytest.fixture
def acme(billed):
    w = billed.w
    lab = Laboratory.objects.create(code="rnd", name="R&D", theme=w.theme)
    lab.establishments.set([w.company])
    return Project.objects.create(
        code="acme",
        title="Acme",
        laboratory=lab,
        paying_establishment=w.company,
        theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )


def figures(budget: Budget, today: datetime.date) -> budgets.Figures:
    return budgets.figures_of([budget], today)[budget.pk]


def test_an_establishments_year_counts_drafts_then_its_invoices_minus_credit_notes(billed):
    cnrs = billed.w.cnrs
    budget = Budget.objects.create(establishment=cnrs, period="year", year=2026, amount_ht=Decimal("120.00"))
    # Q1 and Q2 drafted (a quarter's subscription to its end): 2 × 48.13. Forecast: the VM held in Q3 and Q4 too.
    assert figures(budget, JUNE_15) == budgets.Figures(Decimal("96.26"), Decimal("192.52"), Decimal("120.00"))
    assert figures(budget, JUNE_15).percent == Decimal("80.22")  # 96.26 ÷ 120 = 80.2166…
    invoicing.issue(cnrs, Q1)  # Q1 now from its invoice: the same 48.13
    assert figures(budget, JUNE_15).spent == Decimal("96.26")
    invoicing.credit(Invoice.objects.get(establishment=cnrs), "Billed twice.")  # takes back all 48.13
    assert figures(budget, JUNE_15) == budgets.Figures(Decimal("48.13"), Decimal("144.39"), Decimal("120.00"))
    # Before the year: nothing; on its first day: Q1's draft; after it: the forecast is what was spent.
    assert figures(budget, datetime.date(2025, 12, 31)) == budgets.Figures(ZERO, ZERO, Decimal("120.00"))
    assert figures(budget, datetime.date(2027, 2, 1)).forecast == figures(budget, datetime.date(2027, 2, 1)).spent


ZERO = Decimal("0.00")


def test_a_projects_budget_counts_its_own_lines_only(billed):
    jets = billed.w.project
    budget = Budget.objects.create(project=jets, period="quarter", year=2026, quarter=2, amount_ht=Decimal("40"))
    assert figures(budget, JUNE_15) == budgets.Figures(Decimal("48.13"), Decimal("48.13"), Decimal("40"))
    ehess = Project.objects.get(code="p-ehess")
    other = Budget.objects.create(project=ehess, period="quarter", year=2026, quarter=2, amount_ht=Decimal("500"))
    assert figures(other, JUNE_15).spent == Decimal("144.38")  # 3 × 48.125, rounded once


def test_hours_are_extrapolated_to_the_periods_end_subscriptions_are_not(acme):
    hours(acme, datetime.date(2026, 2, 10), 500)  # Q1: 500 × 0.0115 = 5.75
    hours(acme, datetime.date(2026, 4, 10), 1000)
    hours(acme, datetime.date(2026, 6, 10), 1000)  # Q2 so far: 2 000 × 0.0115 = 23.00
    quarter = Budget.objects.create(project=acme, period="quarter", year=2026, quarter=2, amount_ht=Decimal("25"))
    # 23.00 × 91 ÷ 76 = 27.539… → 27.54
    assert figures(quarter, JUNE_15) == budgets.Figures(Decimal("23.00"), Decimal("27.54"), Decimal("25"))
    year = Budget.objects.create(project=acme, period="year", year=2026, amount_ht=Decimal("100"))
    # Spent 5.75 + 23.00; forecast 5.75 + 27.54 + 2 × (23.00 ÷ 76 × 92 = 27.842… → 27.84).
    assert figures(year, JUNE_15) == budgets.Figures(Decimal("28.75"), Decimal("88.97"), Decimal("100"))
    # A VM held by the company's project from 1 July would be counted in Q3 and Q4 as held: not extrapolated.


def test_80_then_100_percent_are_sent_once_each(billed):
    w = billed.w
    w.manager.email = "manager@cnrs.example"
    w.manager.save()
    budget = Budget.objects.create(establishment=w.cnrs, period="year", year=2026, amount_ht=Decimal("120.00"))
    assert budgets.check_budgets(JUNE_15) == 1  # 96.26 of 120: 80.2 %
    assert budgets.check_budgets(JUNE_15) == 0, "never twice"
    assert list(BudgetAlert.objects.values_list("threshold", "recipients")) == [(80, 1)]
    [mail] = Operation.objects.filter(backend="mail", resource_key__startswith=f"budget-alert:{budget.pk}:80:")
    assert mail.target["to"] == ["manager@cnrs.example"] and "80 %" in mail.target["subject"]
    assert "96,26" in mail.target["body"] and "120,00" in mail.target["body"]  # the default language: French

    held(w.project, billed.bronze, VM, midnight(2026, 1, 1), name="second")  # 192.52 of 120: past 100 %
    out = _run("budgets", "check", "--date", "2026-06-15")
    assert out.startswith("1 budget alert(s) sent")
    assert _run("budgets", "check", "--date", "2026-06-15").startswith("0 budget alert(s) sent")
    assert sorted(BudgetAlert.objects.values_list("threshold", flat=True)) == [80, 100]
    assert Operation.objects.filter(backend="mail", resource_key__startswith="budget-alert:").count() == 2


def test_a_project_alert_goes_to_its_pi_and_managers(billed):
    w = billed.w
    w.pi.email = "pi@lab.example"
    w.pi.save()
    Budget.objects.create(project=w.project, period="quarter", year=2026, quarter=1, amount_ht=Decimal("48.13"))
    assert budgets.check_budgets(datetime.date(2026, 4, 2)) == 2  # 100 % of an ended quarter: 80 and 100 at once
    assert {op.target["to"][0] for op in Operation.objects.filter(backend="mail")} == {"pi@lab.example"}


def test_each_alert_is_recorded_once_by_the_database(billed):
    budget = Budget.objects.create(establishment=billed.w.cnrs, period="year", year=2026, amount_ht=Decimal("1"))
    BudgetAlert.objects.create(budget=budget, threshold=80, sent_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetAlert.objects.create(budget=budget, threshold=80, sent_at=timezone.now())


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--date") as refused:
        call_command("budgets", "check", "--date", "15/06/2026")
    assert refused.value.returncode == 2


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ the model, API
def test_the_model_refuses_what_is_not_a_budget(billed):
    w = billed.w
    cases = [
        ({"establishment": w.cnrs, "project": w.project}, "establishment"),
        ({}, "project"),
        ({"establishment": w.cnrs, "quarter": 5}, "quarter"),
        ({"establishment": w.cnrs, "period": "year", "quarter": 2}, "quarter"),
        ({"establishment": w.cnrs, "amount_ht": Decimal("-1")}, "amount_ht"),
        ({"establishment": w.cnrs, "amount_ht": Decimal("0")}, "amount_ht"),
        ({"establishment": w.cnrs, "year": 1999}, "year"),
    ]
    for fields, named in cases:
        budget = Budget(**{"period": "quarter", "year": 2026, "quarter": 1, "amount_ht": Decimal("10"), **fields})
        with pytest.raises(ValidationError) as refused:
            budget.full_clean()
        assert named in refused.value.message_dict, (fields, refused.value.message_dict)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_sets_a_budget_and_answers_bad_input_with_the_field(billed):
    w = billed.w
    manager = api(w.manager)
    good = {"establishment": w.cnrs.pk, "period": "quarter", "year": 2026, "quarter": 2, "amount_ht": "100.00"}
    for bad, field in [
        ({"amount_ht": "-5.00"}, "amount_ht"),
        ({"quarter": 5}, "quarter"),
        ({"project": w.project.pk}, "establishment"),
        ({"amount_ht": "abc"}, "amount_ht"),
    ]:
        response = manager.post("/api/billing/budgets/", {**good, **bad}, format="json")
        assert response.status_code == 400 and field in response.json(), (bad, response.json())
    assert not Budget.objects.exists()
    created = manager.post("/api/billing/budgets/", good, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["spent_ht"], created.json()["forecast_ht"], created.json()["percent"]) == (
        "48.13",
        "48.13",
        "48.13",
    )
    again = manager.post("/api/billing/budgets/", good, format="json")
    assert again.status_code == 400 and "year" in again.json()


def test_who_may_set_which_budget(billed):
    w = billed.w
    project = {"project": w.project.pk, "period": "year", "year": 2026, "amount_ht": "500.00"}
    establishment = {"establishment": w.cnrs.pk, "period": "year", "year": 2026, "amount_ht": "900.00"}
    # The PI sets their project's, not their establishment's (the PI is no manager of the CNRS, which pays).
    assert api(w.pi).post("/api/billing/budgets/", project, format="json").status_code == 201
    assert api(w.pi).post("/api/billing/budgets/", establishment, format="json").status_code in (400, 403)
    # A member of the project (the student) sets nothing and sees nothing.
    assert api(w.student).post("/api/billing/budgets/", {**project, "year": 2027}, format="json").status_code in (
        400,
        403,
    )
    assert api(w.student).get("/api/billing/budgets/").json()["count"] == 0
    # The CNRS's manager sets the establishment's and the projects it pays for; sees both.
    assert api(w.manager).post("/api/billing/budgets/", establishment, format="json").status_code == 201
    assert api(w.manager).get("/api/billing/budgets/").json()["count"] == 2
    assert api(w.pi).get("/api/billing/budgets/").json()["count"] == 1
    assert Budget.objects.count() == 2


def test_a_draft_that_cannot_be_computed_says_why_and_alerts_nobody(billed):
    from mesocentre.catalogue.models import Price

    w = billed.w
    budget = Budget.objects.create(establishment=w.cnrs, period="quarter", year=2026, quarter=2, amount_ht=Decimal(1))
    Price.objects.filter(component__plan=billed.bronze).delete()  # the bronze VM has no price any more
    found = figures(budget, JUNE_15)
    assert (found.spent, found.forecast, found.percent) == (None, None, None)
    assert "no price" in found.error
    assert budgets.check_budgets(JUNE_15) == 0
    row = api(w.manager).get("/api/billing/budgets/").json()["results"][0]
    assert (row["spent_ht"], row["forecast_ht"]) == (None, None) and "no price" in row["error"]


def test_a_list_of_20_budgets_costs_the_queries_of_2(billed):
    """The budgets add no query per row: their invoices are read at once and each draft computed once per
    establishment and quarter (a draft's own cost grows with its lines: rating's, the same with 2 budgets as 20)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = billed.w
    Budget.objects.create(establishment=w.cnrs, period="year", year=2026, amount_ht=Decimal("120.00"))
    Budget.objects.create(project=w.project, period="year", year=2026, amount_ht=Decimal("100.00"))

    def read() -> tuple[int, list]:
        client = api(w.manager)
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/api/billing/budgets/?limit=100").json()
        return len(captured), page["results"]

    before, rows = read()
    for n in range(18):  # more projects the CNRS pays for, each with its budget for 2026 and for its Q2
        project = Project.objects.create(
            code=f"qc{n}",
            title=f"Q {n}",
            laboratory=w.lab,
            paying_establishment=w.cnrs,
            theme=w.theme,
            starts_on=datetime.date(2026, 1, 1),
        )
        period = {"period": "year"} if n % 2 else {"period": "quarter", "quarter": 2}
        Budget.objects.create(project=project, year=2026, amount_ht=Decimal(100), **period)
    after, rows = read()
    assert len(rows) == 20
    assert [row["spent_ht"] for row in rows if row["project"] == w.project.pk] == ["96.26"]
    assert after == before


def test_the_page_lists_the_figures_and_its_form_names_the_field(billed):
    from django.test import Client

    w = billed.w
    Budget.objects.create(establishment=w.cnrs, period="year", year=2026, amount_ht=Decimal("120.00"))
    client = Client()
    client.force_login(w.manager)
    page = client.get("/billing/budgets/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "96.26" in text and "80.2" in text and "192.52" in text  # spent, its share, the forecast
    bad = client.post("/billing/budgets/", {"establishment": w.cnrs.pk, "period": "quarter", "year": 2026,
                                           "quarter": 5, "amount_ht": "10"})  # fmt: skip
    assert bad.status_code == 400 and "budget_quarter" in bad.content.decode()
    assert Budget.objects.count() == 1
    made = client.post("/billing/budgets/", {"project": w.project.pk, "period": "quarter", "year": 2026,
                                            "quarter": 3, "amount_ht": "60.00"})  # fmt: skip
    assert made.status_code == 302 and Budget.objects.filter(project=w.project, quarter=3).exists()
    client.force_login(w.student)  # a member of the project: no budget to read, none to set
    page = client.get("/billing/budgets/")
    assert (
        page.status_code == 200 and "96.26" not in page.content.decode() and "Set a budget" not in page.content.decode()
    )


ALERT = """
import datetime, os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
django.setup()
from mesocentre.billing import budgets
from mesocentre.billing.models import Budget
gate, order = sys.argv[1], sys.argv[2]
chosen = list(Budget.objects.order_by("pk" if order == "forward" else "-pk"))
found = budgets.figures_of(chosen, datetime.date(2026, 6, 15))
while not os.path.exists(gate):
    time.sleep(0.01)
for budget in chosen:  # as check_budgets does once a threshold is reached, for every budget at once here
    for threshold in (80, 100):
        if budgets._alert_once(budget, threshold, found[budget.pk]):
            print(budget.pk, threshold)
"""


@pytest.mark.django_db(transaction=True)
def test_two_checkers_at_once_send_each_alert_once(billed, tmp_path):
    import subprocess
    import sys
    import time

    from mesocentre.provisioning.tests.conftest import worker_env
    from mesocentre.provisioning.tests.test_workers import finish

    w = billed.w
    w.manager.email = "manager@cnrs.example"
    w.manager.save()
    for quarter in (1, 2):
        Budget.objects.create(establishment=w.cnrs, period="quarter", year=2026, quarter=quarter, amount_ht=Decimal(40))
    for year in range(2020, 2026):
        Budget.objects.create(establishment=w.cnrs, period="year", year=year, amount_ht=Decimal(1))
    gate = tmp_path / "go"
    checkers = [
        subprocess.Popen(
            [sys.executable, "-c", ALERT, str(gate), order],
            env=worker_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for order in ("forward", "backward")
    ]
    time.sleep(1.5)  # both have read the budgets and wait at the gate
    gate.touch()
    printed = sorted(tuple(line.split()) for checker in checkers for line in finish(checker).splitlines())
    assert len(printed) == len(set(printed)) == 16, printed  # 8 budgets × 80 and 100, each by one checker
    assert BudgetAlert.objects.count() == 16
    assert Operation.objects.filter(backend="mail", resource_key__startswith="budget-alert:").count() == 16
