"""The offer's figures, reproduced by computing them, and the calculator's invariants."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesocentre.billing.calculator import Item, quote
from mesocentre.billing.money import to_cents
from mesocentre.catalogue.demo import FINER_FROM

REFERENCE = {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}
OFFER_TTC = {"bronze": Decimal("231.00"), "silver": Decimal("253.00"), "gold": Decimal("484.00")}
# A day of each of the demo's backup prices: six decimals (0.366667) until 2026, eight (0.36666667) since.
SIX_DECIMALS, EIGHT_DECIMALS = datetime.date(2026, 6, 15), FINER_FROM + datetime.timedelta(days=165)


def vm(tier: str, count: int = 1, **size) -> Item:
    return Item(kind="cloud-vm", plan=tier, count=count, **(size or REFERENCE))


@pytest.mark.parametrize("day", [SIX_DECIMALS, EIGHT_DECIMALS, None])
@pytest.mark.parametrize(("tier", "ht"), [("bronze", "192.50"), ("silver", "210.83"), ("gold", "403.33")])
def test_reference_vm_costs_the_offer_price_per_year(demo, tier, ht, day):
    result = quote([vm(tier)], period="year", day=day)
    assert (result.total_ht, result.total_ttc) == (Decimal(ht), OFFER_TTC[tier])


@pytest.mark.parametrize("day", [SIX_DECIMALS, EIGHT_DECIMALS, None])
def test_gold_quarter_is_a_quarter_of_the_year(demo, day):
    result = quote([vm("gold")], period="quarter", day=day)
    assert (result.total_ht, result.total_ttc) == (Decimal("100.83"), Decimal("121.00"))


def test_the_unit_price_keeps_its_decimals_and_only_the_amount_is_rounded(demo):
    # 2 × 50 + 4 × 15 + 50 × 0.65 + 50 × 0.36666667 + the standby (2 × 50 + 4 × 15 + 50 × 0.65), per year.
    year = quote([vm("gold", 3)], period="year", day=EIGHT_DECIMALS)
    [line] = year.lines
    assert line.unit_price_ht == Decimal("403.3333335")
    assert line.amount_ht == Decimal("1210.00")  # 1 210.0000005, where 3 × 403.33 would be 1 209.99
    assert year.total_ttc == Decimal("1452.00") == 3 * OFFER_TTC["gold"]
    quarter = quote([vm("gold")], period="quarter", day=EIGHT_DECIMALS)
    assert quarter.lines[0].unit_price_ht == Decimal("100.83333338")  # 100.833333375, to the tariff's 8 decimals
    # The example, on the six-decimal price too: three gold VMs are 1 452.00 € TTC, not 1 451.99 €.
    assert quote([vm("gold")] * 3, period="year", day=SIX_DECIMALS).total_ttc == Decimal("1452.00")


def test_identical_items_are_one_line(demo):
    apart = quote([vm("gold"), vm("silver"), vm("gold"), vm("gold", 2)], day=EIGHT_DECIMALS)
    together = quote([vm("gold", 4), vm("silver")], day=EIGHT_DECIMALS)
    assert [line.as_dict() for line in apart.lines] == [line.as_dict() for line in together.lines]
    assert [line.quantity for line in apart.lines] == [4, 1]
    # Another size is another line.
    assert len(quote([vm("gold"), vm("gold", vcpu=4, ram_gb=4, disk_gb=50)], day=EIGHT_DECIMALS).lines) == 2


def test_a_refused_item_is_named_by_its_place_in_the_basket_after_identical_ones(demo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        quote([vm("gold"), vm("gold"), vm("iron")])
    assert refused.value.item_index == 2 and "tier" in refused.value.message_dict


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_n_reference_vms_cost_n_times_one_vm_ttc_for_every_n_up_to_1000(demo, tier):
    """Issue 13: per year, n reference VMs cost n × the offer's price TTC, for every n from 1 to 1 000, on the
    eight-decimal prices (the six-decimal backup price fails 702 of them in silver and gold)."""
    wrong = [
        (n, result.total_ttc)
        for n in range(1, 1001)
        if (result := quote([vm(tier, n)], period="year", day=EIGHT_DECIMALS)).total_ttc != n * OFFER_TTC[tier]
    ]
    assert wrong == []


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
    # n × the unit price, rounded once: within half a cent of n × one VM's rounded amount per VM.
    assert many.lines[0].unit_price_ht == one.lines[0].unit_price_ht
    assert many.total_ht == to_cents(n * one.lines[0].unit_price_ht)
    assert abs(many.total_ht - n * one.total_ht) <= n * Decimal("0.005")
    # VAT is computed once on the total, as on an invoice: TTC follows HT, not n × a rounded TTC.
    assert many.total_ttc == many.total_ht + to_cents(many.total_ht * Decimal("0.20"))
    # n VMs asked one by one are the same line as one item of n.
    assert quote([vm(tier, 1, **size)] * n, price_list=price_list).as_dict() == many.as_dict()


@PROPERTY
@given(items=basket, price_list=lists)
def test_a_year_is_four_quarters(demo, items, price_list):
    year = quote(items, period="year", price_list=price_list)
    quarter = quote([_quarter_of(item) for item in items], period="quarter", price_list=price_list)
    # Usage lines (kWh, core-hours) are given per period, so a quarter carries a quarter of the usage.
    # Only a line's amount is rounded to the cent, once a year and once a quarter, so a line may differ by half a
    # cent plus four times half a cent: 0.025 at most, whatever its quantity (and a quarter's unit price, held to
    # eight decimals, by 4 × 0.000000005 per unit, nothing at these quantities).
    assert len(year.lines) == len(quarter.lines)
    assert abs(year.total_ht - 4 * quarter.total_ht) <= Decimal("0.025") * len(year.lines)


def _quarter_of(item: Item) -> Item:
    from dataclasses import replace

    return replace(item, core_hours=item.core_hours / 4, gpu_hours=item.gpu_hours / 4, kwh=item.kwh / 4)


@pytest.mark.parametrize("day", [SIX_DECIMALS, EIGHT_DECIMALS])
@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_reference_vm_year_is_exactly_four_quarters_in_ttc(demo, tier, day):
    year = quote([vm(tier)], period="year", day=day).total_ttc
    quarters = quote([vm(tier)], period="quarter", day=day).total_ttc
    # Gold and silver divide exactly (484 / 4 = 121, 253 / 4 = 63.25); bronze's quarter is 48.125 € HT, whose
    # amount rounds to 48.13 €, so 57.76 € TTC (see README).
    assert abs(year - 4 * quarters) <= Decimal("0.04")
    if tier != "bronze":
        assert year == 4 * quarters
    else:
        assert quarters == Decimal("57.76")


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
