"""PODs and racks: the offer's inventory after migrate, their totals in one query, the bounds of a rack (the model,
the database and the API refuse them, naming the field), and the operators' list."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from mesocentre.capacity.models import Pod, Rack

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(user_factory):
    client = Client()
    client.force_login(user_factory("operator", is_operator=True))
    return client


def test_the_offer_s_56_racks_of_42u_in_4_pods_are_there_after_migrate():
    assert Rack.objects.count() == 56
    racks = {pod.code: pod.racks_count for pod in Pod.objects.with_totals()}
    assert racks == {"pod1": 12, "pod2": 12, "pod3": 16, "pod4": 16}
    assert set(Rack.objects.values_list("height_u", "power_budget_kw")) == {(42, Decimal("7.00"))}
    assert set(Pod.objects.values_list("hot_aisle_width_m", flat=True)) == {Decimal("1.20")}


def test_totals_per_pod_in_one_query(django_assert_num_queries):
    pod = Pod.objects.get(code="pod3")
    Rack.objects.filter(pod=pod, number=1).update(power_budget_kw=Decimal("25.5"))
    with django_assert_num_queries(1):
        totals = {p.code: (p.racks_count, p.total_u, p.total_kw) for p in Pod.objects.with_totals()}
    assert totals["pod3"] == (16, 16 * 42, Decimal("7") * 15 + Decimal("25.5"))
    assert totals["pod1"] == (12, 504, Decimal("84"))
    empty = Pod.objects.create(code="pod5", name="POD 5")
    assert Pod.objects.with_totals().get(pk=empty.pk).total_kw == 0
    assert list(Rack.objects.in_pod(pod).values_list("number", flat=True)) == list(range(1, 17))


@pytest.mark.parametrize(
    ("field", "value"),
    [("power_budget_kw", Decimal("0")), ("power_budget_kw", Decimal("30.01")), ("height_u", 0), ("height_u", 61)],
)
def test_a_rack_out_of_bounds_is_refused_by_the_model_and_the_database(field, value):
    pod = Pod.objects.get(code="pod1")
    rack = Rack(pod=pod, number=99, **{field: value})
    with pytest.raises(ValidationError) as refused:
        rack.full_clean()
    assert list(refused.value.message_dict) == [field]
    with pytest.raises(IntegrityError), transaction.atomic():
        Rack.objects.bulk_create([rack])  # past the model's validation (save() runs it): the check constraint


def test_a_rack_at_the_bound_is_accepted():
    rack = Rack(pod=Pod.objects.get(code="pod1"), number=99, power_budget_kw=Decimal("30"), height_u=60)
    rack.full_clean()
    rack.save()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"power_budget_kw": "0"}, "power_budget_kw"),
        ({"power_budget_kw": "1000"}, "power_budget_kw"),
        ({"power_budget_kw": "-3"}, "power_budget_kw"),
        ({"height_u": 0}, "height_u"),
        ({"number": 0}, "number"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(operator, payload, field):
    pod = Pod.objects.get(code="pod2")
    response = operator.post(
        reverse("capacity-api:rack-list"), {"pod": pod.pk, "number": 13, **payload}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Rack.objects.in_pod(pod).count() == 12


def test_a_number_taken_in_its_pod_is_a_400(operator):
    pod = Pod.objects.get(code="pod2")
    response = operator.post(
        reverse("capacity-api:rack-list"), {"pod": pod.pk, "number": 3}, content_type="application/json"
    )
    assert response.status_code == 400
    made = operator.post(
        reverse("capacity-api:rack-list"), {"pod": pod.pk, "number": 13}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["power_budget_kw"] == "7.00" and made.json()["height_u"] == 42


def test_the_pods_api_gives_the_totals_to_operators_only(operator, user_factory):
    rows = {row["code"]: row for row in operator.get(reverse("capacity-api:pod-list")).json()["results"]}
    assert rows["pod4"]["racks_count"] == 16 and rows["pod4"]["total_u"] == 672 and rows["pod4"]["total_kw"] == "112.00"
    made = operator.post(
        reverse("capacity-api:pod-list"), {"code": "pod5", "name": "POD 5"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["racks_count"] == 0
    member = Client()
    member.force_login(user_factory("alice"))
    assert member.get(reverse("capacity-api:pod-list")).status_code == 403
    assert member.get(reverse("capacity-api:rack-list")).status_code == 403
    assert member.get(reverse("capacity:pod_list")).status_code == 403


def test_the_operators_list_of_pods_and_their_racks(operator):
    page = operator.get(reverse("capacity:pod_list"), {"q": "POD 3"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "POD 3" in text and "POD 1" not in text
    assert "16: 42 U, 7 kW" in text  # its racks, with their U and power
