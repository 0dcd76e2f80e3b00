"""The offer's figures, reproduced by computing them, and the calculator's invariants."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesocentre.billing.calculator import Item, quote
from mesocentre.billing.money import to_cents

REFERENCE = {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}


def vm(tier: str, count: int = 1, **size) -> Item:
    return Item(kind="cloud-vm", plan=tier, count=count, **(size or REFERENCE))


@pytest.mark.parametrize(("tier", "ttc"), [("bronze", "231.00"), ("silver", "253.00"), ("gold", "484.00")])
def test_reference_vm_costs_the_offer_price_per_year(demo, tier, ttc):
    assert quote([vm(tier)], period="year").total_ttc == Decimal(ttc)


def test_gold_quarter_is_a_quarter_of_the_year(demo):
    assert quote([vm("gold")], period="quarter").total_ttc == Decimal("121.00")


def test_rack_costs_fixed_part_plus_kwh_times_price_times_pue(demo):
    result = quote([Item(kind="rack", kwh=Decimal(50000), kwh_price=Decimal("0.20"))], period="year")
    assert result.total_ht == Decimal("7000.00") + Decimal(50000) * Decimal("0.20") * Decimal("1.5")
    assert [line.amount_ht for line in result.lines] == [Decimal("7000.00"), Decimal("15000.00")]


def test_rack_uses_the_electricity_price_valid_on_the_day(demo):
    import datetime

    item = Item(kind="rack", kwh=Decimal(1000))
    old = quote([item], day=datetime.date(2020, 6, 1))
    new = quote([item], day=datetime.date(2024, 6, 1))
    assert old.lines[1].unit_price_ht == Decimal("0.15")
    assert new.lines[1].unit_price_ht == Decimal("0.20")


def test_company_pays_full_cost_plus_the_margin(demo):
    academic = quote([Item(kind="hpc", core_hours=Decimal(100000))], price_list="academic")
    company = quote([Item(kind="hpc", core_hours=Decimal(100000))], price_list="company")
    assert company.total_ht == to_cents(academic.total_ht * Decimal("1.15"))


sizes = st.fixed_dictionaries(
    {"vcpu": st.integers(1, 111), "ram_gb": st.integers(1, 333), "disk_gb": st.integers(1, 100_000)}
)
tiers = st.sampled_from(["bronze", "silver", "gold"])
lists = st.sampled_from(["academic", "company"])
basket = st.lists(
    st.one_of(
        st.builds(lambda t, s, n: vm(t, n, **s), tiers, sizes, st.integers(1, 20)),
        st.builds(
            lambda c, g: Item(kind="hpc", core_hours=Decimal(c), gpu_hours=Decimal(g)),
            st.integers(1, 10**7),
            st.integers(0, 10**4),
        ),
        st.builds(lambda k, n: Item(kind="rack", kwh=Decimal(k), count=n), st.integers(0, 200_000), st.integers(1, 4)),
        st.builds(lambda g: Item(kind="storage", storage_gb=Decimal(g)), st.integers(1, 10**6)),
    ),
    min_size=1,
    max_size=5,
)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(items=basket, period=st.sampled_from(["year", "quarter"]), price_list=lists)
def test_total_is_the_sum_of_the_lines_and_ttc_is_ht_plus_rounded_vat(demo, items, period, price_list):
    result = quote(items, period=period, price_list=price_list)
    assert result.total_ht == sum(line.amount_ht for line in result.lines)
    assert all(line.amount_ht == to_cents(line.quantity * line.unit_price_ht) for line in result.lines)
    assert result.total_ttc == result.total_ht + to_cents(result.total_ht * Decimal("0.20"))


@PROPERTY
@given(tier=tiers, size=sizes, n=st.integers(1, 50), price_list=lists)
def test_n_vms_cost_n_times_one_vm(demo, tier, size, n, price_list):
    one = quote([vm(tier, 1, **size)], price_list=price_list)
    many = quote([vm(tier, n, **size)], price_list=price_list)
    assert many.total_ht == n * one.total_ht
    # VAT is computed once on the total, as on an invoice: TTC follows HT, not n × a rounded TTC.
    assert many.total_ttc == many.total_ht + to_cents(many.total_ht * Decimal("0.20"))


@PROPERTY
@given(items=basket, price_list=lists)
def test_a_year_is_four_quarters(demo, items, price_list):
    year = quote(items, period="year", price_list=price_list)
    quarter = quote([_quarter_of(item) for item in items], period="quarter", price_list=price_list)
    # Usage lines (kWh, core-hours) are given per period, so a quarter carries a quarter of the usage.
    # Each unit price or usage amount is rounded to the cent once a year and once a quarter, so one unit may
    # differ by half a cent plus four times half a cent: 0.025 at most, and the bound is tight.
    units = sum(line.quantity if line.unit in ("VM", "rack", "subscription") else 1 for line in year.lines)
    assert abs(year.total_ht - 4 * quarter.total_ht) <= Decimal("0.025") * units


def _quarter_of(item: Item) -> Item:
    from dataclasses import replace

    return replace(item, core_hours=item.core_hours / 4, gpu_hours=item.gpu_hours / 4, kwh=item.kwh / 4)


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_reference_vm_year_is_exactly_four_quarters_in_ttc(demo, tier):
    year = quote([vm(tier)], period="year").total_ttc
    quarters = quote([vm(tier)], period="quarter").total_ttc
    # Gold and silver divide exactly (484 / 4 = 121, 253 / 4 = 63.25); bronze's 57.75 rounds to 57.76 (see README).
    assert abs(year - 4 * quarters) <= Decimal("0.04")
    if tier != "bronze":
        assert year == 4 * quarters


def test_a_quote_costs_the_same_queries_for_1_item_and_for_100(demo, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    basket = [vm("gold"), vm("silver"), Item(kind="hpc", core_hours=Decimal(10)), Item(kind="rack", kwh=Decimal(5))]
    with CaptureQueriesContext(connection) as one:
        quote(basket[:1])
    with django_assert_num_queries(len(one.captured_queries)):
        quote([vm("gold", vcpu=1 + n % 4, ram_gb=4, disk_gb=50) for n in range(100)])
    # Every kind at once: still a constant (the price list, the plans and their components and prices, and
    # capacity's largest VM asked once with its standby and once without).
    with CaptureQueriesContext(connection) as mixed:
        quote(basket * 25)
    with django_assert_num_queries(len(mixed.captured_queries)):
        quote(basket)
