"""The quarter's drafts, computed by hand for each case of the rule and checked to the cent (Q1 2026 has 90 days,
Q3 2026 92; prices as the demo's catalogue: bronze 192.50 € HT a year, backups 0.366667 € a GB in 2026)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from mesocentre.billing import rating
from mesocentre.catalogue.models import Price
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name
from mesocentre.resources import services
from mesocentre.resources.models import Resource
from mesocentre.tenancy.models import Laboratory

VM = {"vcpu": "2", "ram_gb": "4", "disk_gb": "50"}
Q1, Q3 = rating.Quarter(2026, 1), rating.Quarter(2026, 3)


def midnight(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day))


def held(project, plan, quantities, since, name="vm"):
    resource = Resource.objects.create(project=project, offering=plan.offering, name=name, backend="manual", state="ok")
    services.start(resource, plan, quantities, since)
    return resource


def amounts(draft):
    return [
        (line.description.split(",")[0], line.quantity, line.amount_ht, line.period_start, line.period_end)
        for line in draft.lines
    ]


def test_a_quarter_is_parsed_strictly():
    assert (Q1.first_day, Q1.end, Q1.days) == (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1), 90)
    assert rating.Quarter.parse("2026Q4").end == datetime.date(2027, 1, 1)
    for bad in ("2026Q5", "2026-Q4", "26Q1", "", "2026q1 ; drop"):
        with pytest.raises(Exception, match="2026Q4"):
            rating.Quarter.parse(bad)


def test_a_vm_resized_mid_quarter_is_billed_by_day_at_each_size(shop):
    w = shop.w
    vm = held(w.project, shop.bronze, VM, midnight(2025, 11, 3))
    services.change(vm, shop.bronze, {"vcpu": "4", "ram_gb": "8", "disk_gb": "50"}, midnight(2026, 2, 10))
    draft = rating.draft(w.cnrs, Q1)
    # 192.50 × 0.25 × 40/90 = 21.3888… → 21.39; (200 + 120 + 32.50) × 0.25 × 50/90 = 48.9583… → 48.96.
    assert [(line.amount_ht, line.period_start, line.period_end) for line in draft.lines] == [
        (Decimal("21.39"), datetime.date(2026, 1, 1), datetime.date(2026, 2, 9)),
        (Decimal("48.96"), datetime.date(2026, 2, 10), datetime.date(2026, 3, 31)),
    ]
    assert draft.lines[0].unit_price_ht == Decimal("21.38888889"), "a unit price keeps its precision"
    data = draft.as_dict()
    assert (data["total_ht"], data["total_vat"], data["total_ttc"]) == ("70.35", "14.07", "84.42")
    assert data["number"] is None and data["establishment"] == "cnrs" and data["quarter"] == "2026Q1"


def test_identical_vms_held_the_whole_quarter_share_one_line_and_agree_with_the_quote(shop):
    from mesocentre.billing.calculator import Item, quote

    w = shop.w
    for name in ("a", "b", "c"):
        held(w.project, shop.gold, VM, midnight(2025, 12, 1), name=name)
    draft = rating.draft(w.cnrs, Q1)
    [line] = draft.lines
    assert (line.quantity, line.amount_ht) == (3, Decimal("302.50"))  # 3 × 100.8333375, rounded once
    assert draft.as_dict()["total_ttc"] == "363.00"  # 3 × 121.00
    quoted = quote([Item("cloud-vm", "gold", count=3, vcpu=2, ram_gb=4, disk_gb=50)], "quarter", day=Q1.first_day)
    assert (quoted.total_ht, quoted.total_ttc) == (draft.total_ht, Decimal("363.00")), "quote and draft agree"


def test_a_tier_change_mid_quarter_lands_on_two_lines_with_their_dates(shop):
    w = shop.w
    vm = held(w.project, shop.silver, VM, midnight(2025, 6, 1))
    services.change(vm, shop.gold, VM, midnight(2026, 3, 1))
    draft = rating.draft(w.cnrs, Q1)
    # silver 210.83335 × 0.25 × 59/90 → 34.55; gold 403.33335 × 0.25 × 31/90 → 34.73.
    assert [(line.amount_ht, line.period_start, line.period_end) for line in draft.lines] == [
        (Decimal("34.55"), datetime.date(2026, 1, 1), datetime.date(2026, 2, 28)),
        (Decimal("34.73"), datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
    ]
    assert "Silver" in draft.lines[0].description and "Gold" in draft.lines[1].description


def test_a_price_that_changes_mid_quarter_cuts_the_line_at_its_day(shop):
    w = shop.w
    held(w.project, shop.bronze, VM, midnight(2026, 1, 1))
    vcpu = shop.bronze.components.get(code="vcpu")
    # A new tariff from 1 August (written past the model's guard: the test lives in June).
    Price.objects.filter(component=vcpu).update(valid_until=datetime.date(2026, 7, 31))
    Price.objects.bulk_create([Price(component=vcpu, amount=Decimal("60"), valid_from=datetime.date(2026, 8, 1))])
    draft = rating.draft(w.cnrs, Q3)
    # 192.50 × 0.25 × 31/92 → 16.22; (120 + 60 + 32.50) × 0.25 × 61/92 → 35.22.
    assert [(line.amount_ht, line.period_start, line.period_end) for line in draft.lines] == [
        (Decimal("16.22"), datetime.date(2026, 7, 1), datetime.date(2026, 7, 31)),
        (Decimal("35.22"), datetime.date(2026, 8, 1), datetime.date(2026, 9, 30)),
    ]


def test_academic_hours_go_to_the_annex_and_a_companys_are_invoiced(shop, decided):
    w = shop.w
    rnd = Laboratory.objects.create(code="rnd", name="R&D", theme=w.theme)
    rnd.establishments.set([w.company])
    acme = Project.objects.create(
        code="acme",
        title="Acme",
        laboratory=rnd,
        paying_establishment=w.company,
        theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )
    for index, (project, day) in enumerate([(w.project, 5), (w.project, 20), (acme, 7)]):
        UsageRecord.objects.create(
            source="slurm:mesocentre",
            external_id=str(index),
            account=account_name(project.code),
            ended_at=midnight(2026, 2, day) + datetime.timedelta(hours=12),
            cpu_seconds=500 * 3600,
            gpu_seconds=5 * 3600,
        )
    UsageRecord.objects.create(  # in another quarter: not this one's
        source="slurm:mesocentre",
        external_id="old",
        account=account_name(w.project.code),
        ended_at=midnight(2025, 12, 31) + datetime.timedelta(hours=23, minutes=30),
        cpu_seconds=3600,
    )
    academic = rating.draft(w.cnrs, Q1)
    assert academic.lines == [] and academic.total_ht == 0
    [annex] = academic.annex
    # 1 000 core-hours × 0.01 + 10 GPU hours × 0.50, at the academic price; granted: the committee's decision.
    assert (annex.project, annex.quantity, annex.gpu_hours, annex.value_ht) == ("jets", 1000, 10, Decimal("15.00"))
    assert (annex.granted_core_hours, annex.granted_gpu_hours) == (100_000, 500)
    company = rating.draft(w.company, Q1)
    assert [(line.quantity, line.amount_ht) for line in company.lines] == [(500, Decimal("5.75")), (5, Decimal("2.88"))]
    assert company.annex == []


def test_the_command_prints_the_drafts_as_json_and_refuses_a_bad_quarter(shop, capsys):
    w = shop.w
    held(w.project, shop.bronze, VM, midnight(2025, 1, 1))
    call_command("invoices", "draft", "--quarter", "2026Q1", "--establishment", "cnrs", "--json")
    [draft] = json.loads(capsys.readouterr().out)
    assert draft["total_ht"] == "48.13" and draft["lines"][0]["project"] == "jets"  # 192.50 × 0.25 = 48.125
    assert set(draft["lines"][0]) >= {
        "offering",
        "description",
        "quantity",
        "unit",
        "unit_price_ht",
        "amount_ht",
        "period_start",
        "period_end",
    }
    with pytest.raises(CommandError, match="--quarter") as refused:
        call_command("invoices", "draft", "--quarter", "2026Q5")
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="--establishment"):
        call_command("invoices", "draft", "--quarter", "2026Q1", "--establishment", "nowhere")


def test_an_academic_projects_hours_ordered_outside_the_calls_are_invoiced(shop):
    from mesocentre.resources import orders
    from mesocentre.tenancy.models import Team, TeamMembership

    w = shop.w
    TeamMembership.objects.create(team=Team.standard("compute"), user=w.operator)
    order = orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.hpc, quantities={"core_hours": 1000}, name="h"), w.operator
    )
    assert order.resource.hpc_allocation.project == w.project
    UsageRecord.objects.create(
        source="slurm:mesocentre",
        external_id="1",
        account=account_name(w.project.code),
        ended_at=midnight(2026, 2, 5),
        cpu_seconds=200 * 3600,
    )
    draft = rating.draft(w.cnrs, Q1)
    assert draft.annex == []
    assert [(line.quantity, line.amount_ht) for line in draft.lines] == [(200, Decimal("2.00"))]  # academic price


def test_a_project_that_changes_paying_establishment_is_billed_to_each_for_its_days(shop, time_machine):
    from mesocentre.projects.models import PayerPeriod

    w = shop.w
    held(w.project, shop.bronze, VM, midnight(2025, 1, 1))
    for index, day in enumerate((5, 20)):
        UsageRecord.objects.create(
            source="slurm:mesocentre",
            external_id=str(index),
            account=account_name(w.project.code),
            ended_at=midnight(2026, 2, day) + datetime.timedelta(hours=12),
            cpu_seconds=100 * 3600,
        )
    time_machine.move_to(datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC))
    w.project.paying_establishment = w.univ
    w.project.save()
    assert list(
        PayerPeriod.objects.filter(project=w.project).values_list("establishment__code", "valid_from", "valid_until")
    ) == [
        ("cnrs", None, datetime.date(2026, 2, 9)),
        ("univ", datetime.date(2026, 2, 10), None),
    ]
    cnrs, univ = rating.draft(w.cnrs, Q1), rating.draft(w.univ, Q1)
    # 192.50 × 0.25 × 40/90 → 21.39 to the CNRS; × 50/90 → 26.74 to the university; each its own days' hours.
    assert [(line.amount_ht, line.period_start, line.period_end) for line in cnrs.lines] == [
        (Decimal("21.39"), datetime.date(2026, 1, 1), datetime.date(2026, 2, 9))
    ]
    assert [(line.amount_ht, line.period_start, line.period_end) for line in univ.lines] == [
        (Decimal("26.74"), datetime.date(2026, 2, 10), datetime.date(2026, 3, 31))
    ]
    assert [a.quantity for a in cnrs.annex] == [100] and [a.quantity for a in univ.annex] == [100]
