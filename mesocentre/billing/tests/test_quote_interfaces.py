"""The three doors to the calculator (CLI, API, and through the API the portal) accept and refuse alike."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from mesocentre.billing.api.serializers import QuoteRequestSerializer

REFERENCE_CLI = ["quote", "cloud-vm", "--tier", "gold", "--vcpu", "2", "--ram-gb", "4", "--disk-gb", "50"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The real console script in a subprocess, against the test database (committed by the `demo_committed` fixture)."""
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "MESOCENTRE_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "mesocentre.cli", *args], capture_output=True, text=True, env=env)


@pytest.fixture
def demo_committed(transactional_db):
    from mesocentre.core.demo import load_demo

    load_demo()


def test_cli_gold_vm_per_year_as_json(demo_committed):
    result = run_cli(*REFERENCE_CLI, "--period", "year", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total_ttc"] == "484.00"
    assert data["total_ht"] == "403.33"
    assert data["currency"] == "EUR" and data["period"] == "year" and data["price_list"] == "academic"
    line = data["lines"][0]
    assert set(line) >= {"description", "quantity", "unit", "unit_price_ht", "amount_ht"}


def test_cli_rack_and_hpc_as_the_issue_writes_them(demo_committed):
    rack = run_cli(
        "quote", "rack", "--count", "1", "--kwh", "50000", "--kwh-price", "0.20", "--period", "year", "--json"
    )
    assert json.loads(rack.stdout)["total_ht"] == "22000.00"
    hpc = run_cli("quote", "hpc", "--core-hours", "100000", "--period", "year", "--json")
    assert json.loads(hpc.stdout)["total_ht"] == "1000.00"
    company = run_cli(
        "quote", "hpc", "--core-hours", "100000", "--gpu-hours", "10", "--price-list", "company", "--json"
    )
    assert json.loads(company.stdout)["total_ht"] == "1155.75"  # (1 000 + 5) × 1.15
    table = run_cli(*REFERENCE_CLI, "--count", "3")
    # 3 × 403.3333335 rounded once (not 3 × 403.33), VAT on the total: 3 × 484.00 TTC.
    assert "Total TTC" in table.stdout and "€1,210.00" in table.stdout and "€1,452.00" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tier", "gold", "--vcpu", "0", "--ram-gb", "4", "--disk-gb", "50"], "--vcpu: Ensure this value is greater"),
        (["--tier", "gold", "--vcpu", "-2", "--ram-gb", "4", "--disk-gb", "50"], "--vcpu"),
        (["--tier", "platinum", "--vcpu", "2", "--ram-gb", "4", "--disk-gb", "50"], "--tier: Unknown tier 'platinum'"),
        (["--tier", "gold", "--vcpu", "2", "--ram-gb", "4"], "--disk-gb: Required for a cloud VM"),
        (
            ["--tier", "gold", "--vcpu", "200", "--ram-gb", "4", "--disk-gb", "50"],
            "--vcpu: 200 is more than the largest host",
        ),
        (
            ["--tier", "gold", "--vcpu", "2", "--ram-gb", "4", "--disk-gb", "50", "--price-list", "x"],
            "--price-list: Unknown price list",
        ),
        (["--tier", "gold", "--vcpu", "2", "--ram-gb", "4", "--disk-gb", "50", "--period", "month"], "--period"),
        (
            ["--tier", "gold", "--vcpu", "two", "--ram-gb", "4", "--disk-gb", "50"],
            "--vcpu: A valid integer is required",
        ),
    ],
)
def test_cli_bad_input_names_the_option_and_exits_2(demo_committed, args, message):
    result = run_cli("quote", "cloud-vm", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_api_quotes_a_mixed_basket_without_login(demo, api):
    response = api.post(
        "/api/billing/quote/",
        {
            "period": "quarter",
            "items": [
                {"kind": "cloud-vm", "tier": "gold", "vcpu": 2, "ram_gb": 4, "disk_gb": 50},
                {"kind": "hpc", "core_hours": "25000"},
                {"kind": "rack", "kwh": "12500", "kwh_price": "0.20"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert [line["amount_ht"] for line in data["lines"]] == ["100.83", "250.00", "1750.00", "3750.00"]
    assert data["total_ht"] == "5850.83"
    assert data["total_vat"] == "1170.17"  # 5850.83 × 0.20 = 1170.166
    assert data["total_ttc"] == "7021.00"


@pytest.mark.parametrize(
    ("item", "path", "fragment"),
    [
        (
            {"kind": "cloud-vm", "tier": "gold", "vcpu": 0, "ram_gb": 4, "disk_gb": 50},
            ("items", "0", "vcpu"),
            "greater than",
        ),
        (
            {"kind": "cloud-vm", "tier": "iron", "vcpu": 2, "ram_gb": 4, "disk_gb": 50},
            ("items", "0", "tier"),
            "Unknown tier",
        ),
        (
            {"kind": "cloud-vm", "tier": "gold", "vcpu": 2, "ram_gb": 5000, "disk_gb": 50},
            ("items", "0", "ram_gb"),
            "largest host",
        ),
        ({"kind": "hpc", "core_hours": "-5"}, ("items", "0", "core_hours"), "greater than"),
        ({"kind": "teleport"}, ("items", "0", "kind"), "not a valid choice"),
    ],
)
def test_api_bad_input_is_a_400_naming_the_field(demo, api, item, path, fragment):
    response = api.post("/api/billing/quote/", {"items": [item]}, format="json")
    assert response.status_code == 400
    node = response.json()
    for key in path:
        node = node[key]
    assert fragment in " ".join(node)


def test_api_unknown_price_list_and_empty_basket(demo, api):
    response = api.post(
        "/api/billing/quote/", {"price_list": "friends", "items": [{"kind": "hpc", "core_hours": 1}]}, format="json"
    )
    assert response.status_code == 400 and "price_list" in response.json()
    response = api.post("/api/billing/quote/", {"items": []}, format="json")
    assert response.status_code == 400 and "items" in response.json()
    response = api.post("/api/billing/quote/", "not json", content_type="application/json")
    assert response.status_code == 400


def test_call_command_prints_a_table(demo, capsys):
    call_command("quote", "cloud-vm", "--tier", "silver", "--vcpu", "2", "--ram-gb", "4", "--disk-gb", "50")
    out = capsys.readouterr().out
    assert "VM Silver, 2 vCPU / 4 GB RAM / 50 GB disk" in out and "253.00" in out


def test_the_table_writes_figures_as_people_read_them(demo, capsys):
    from django.utils import timezone

    from mesocentre.core.formatting import day

    call_command("quote", "hpc", "--core-hours", "1500000")
    out = capsys.readouterr().out
    assert f"prices of {day(timezone.localdate(), 'en')}" in out  # 1 Dec 2026, not 2026-12-01
    [line] = [row for row in out.splitlines() if row.startswith("CPU core-hours")]
    assert line.split()[2:] == ["1,500,000", "core-hour", "€0.01", "€15,000.00"]
    assert "VAT 20%" in out and out.rstrip().endswith("Total TTC  €18,000.00")


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", {"quantity": "1,500,000", "unit_price_ht": "€0.01", "amount_ht": "€15,000.00", "vat_rate": "20%"}),
        (
            "fr",
            {
                "quantity": "1\u202f500\u202f000",
                "unit_price_ht": "0,01\u00a0€",
                "amount_ht": "15\u202f000,00\u00a0€",
                "vat_rate": "20\u00a0%",
            },
        ),
    ],
)
def test_the_api_writes_each_figure_for_people_beside_the_number(demo, api, language, written):
    """The portal's page shows these (it formats nothing itself), so that it reads as every other page."""
    from mesocentre.core.formatting import day, money

    basket = {"items": [{"kind": "hpc", "core_hours": "1500000"}]}
    data = api.post("/api/billing/quote/", basket, format="json", HTTP_ACCEPT_LANGUAGE=language).json()
    [line] = data["lines"]
    assert line["quantity"] == "1500000.00" and line["unit_price_ht"] == "0.01"  # the numbers stay plain
    assert line["display"] == written
    assert data["display"] == {
        "date": day(data["date"], language),
        "total_ht": money(data["total_ht"], language),
        "total_vat": money(data["total_vat"], language),
        "total_ttc": money(data["total_ttc"], language),
    }
    assert data["vat"][0]["display"] == {"rate": written["vat_rate"], "amount": money("3000.00", language)}


def test_quotes_speak_the_callers_language(demo, api):
    basket = {"items": [{"kind": "rack", "kwh": "1000"}, {"kind": "storage", "storage_gb": "100"}]}
    french = api.post("/api/billing/quote/", basket, format="json", HTTP_ACCEPT_LANGUAGE="fr").json()
    english = api.post("/api/billing/quote/", basket, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert french["lines"][0]["description"] == "Hébergement de baies (hébergement sec) — Baie 42U"
    assert french["lines"][1]["description"].startswith("Électricité")
    assert english["lines"][1]["description"].startswith("Electricity")
    assert french["total_ttc"] == english["total_ttc"]


def test_api_refuses_a_basket_of_more_than_100_items_naming_the_rule(demo, api, django_assert_max_num_queries):
    item = {"kind": "hpc", "core_hours": "10"}
    assert api.post("/api/billing/quote/", {"items": [item] * 100}, format="json").status_code == 200
    # Refused before any item is validated or priced: no catalogue query, whatever the basket's size.
    with django_assert_max_num_queries(0):
        serializer = QuoteRequestSerializer(data={"items": [item] * 20_000})
        assert not serializer.is_valid()
    assert serializer.errors["items"] == ["A basket holds at most 100 items; give a count instead."]
    response = api.post("/api/billing/quote/", {"items": [item] * 101}, format="json")
    assert response.status_code == 400
    assert response.json() == {"items": ["A basket holds at most 100 items; give a count instead."]}


def test_api_the_largest_sizes_accepted_are_priced_not_a_500(demo, api):
    largest = {"count": 10**6, "kwh": "999999999999.99", "kwh_price": "9999.999999"}
    basket = {"items": [{"kind": "rack", **largest}, {"kind": "hpc", "count": 10**6, "core_hours": "999999999999.99"}]}
    response = api.post("/api/billing/quote/", {"items": basket["items"] * 50}, format="json")
    assert response.status_code == 200, response.content
    too_big = api.post("/api/billing/quote/", {"items": [{"kind": "hpc", "core_hours": "1" + "0" * 12}]}, format="json")
    assert too_big.status_code == 400 and "core_hours" in too_big.json()["items"]["0"]


def test_the_calculator_page_offers_no_more_vm_rows_than_a_basket_holds(demo, client):
    from django.urls import reverse

    page = client.get(reverse("billing:calculator")).content.decode()
    assert 'data-max-vm-rows="95"' in page  # 100 items less the page's five others (HPC, GPU, storage…)


def test_api_a_quote_of_20_vm_lines_costs_the_queries_of_1(demo, api):
    """The basket's prices are read once for the whole basket (``calculator._Catalogue``), never per line."""
    from django.test.utils import CaptureQueriesContext

    def vm(n: int) -> dict:
        return {
            "kind": "cloud-vm",
            "tier": ("bronze", "silver", "gold")[n % 3],
            "vcpu": 1 + n % 4,
            "ram_gb": 4,
            "disk_gb": 50 + n,  # each VM its own size: identical ones would be one line
        }

    def queries(items: list[dict]) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.post("/api/billing/quote/", {"items": items}, format="json")
        assert response.status_code == 200, response.content
        assert len(response.json()["lines"]) == len(items)
        return len(captured)

    queries([vm(0)])  # the caches (throttle, content types) warmed
    gold = [vm(n) for n in range(2, 60, 3)]
    assert len(gold) == 20 and queries(gold) == queries(gold[:1])
    # Every tier: still the same (gold asks capacity for the largest VM with its standby, once for all its lines).
    assert queries([vm(n) for n in range(20)]) == queries([vm(n) for n in range(3)])
