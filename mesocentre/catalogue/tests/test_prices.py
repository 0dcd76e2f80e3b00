import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mesocentre.audit.models import AuditEntry
from mesocentre.catalogue.models import Component, Price
from mesocentre.catalogue.services import set_price
from mesocentre.core.testing import WORLD_NOW


@pytest.fixture
def vcpu(demo, time_machine) -> Component:
    # The rule on started prices depends on today: these tests live on 2026-06-15, whatever the clock says.
    time_machine.move_to(WORLD_NOW, tick=True)
    return Component.objects.get(plan__offering__code="cloud-vm", plan__code="bronze", code="vcpu")


def test_a_new_tariff_closes_the_old_one_and_keeps_the_past(vcpu):
    old = vcpu.price_on(datetime.date(2026, 1, 1))
    set_price(vcpu, Decimal("55.00"), datetime.date(2027, 1, 1))
    old.refresh_from_db()
    assert old.valid_until == datetime.date(2026, 12, 31)
    assert vcpu.price_on(datetime.date(2026, 12, 31)).amount == Decimal("50.00")
    assert vcpu.price_on(datetime.date(2027, 1, 1)).amount == Decimal("55.00")


def test_overlapping_prices_are_refused_with_the_field_named(vcpu):
    with pytest.raises(ValidationError) as excinfo:
        Price.objects.create(component=vcpu, amount=Decimal("1"), valid_from=datetime.date(2020, 5, 1))
    assert "valid_from" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        set_price(vcpu, Decimal("1"), datetime.date(2018, 1, 1))
    assert "valid_from" in excinfo.value.message_dict


def test_a_price_cannot_end_before_it_starts(vcpu):
    price = vcpu.price_on(datetime.date(2026, 1, 1))
    price.valid_until = datetime.date(2010, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        price.save()
    assert "valid_until" in excinfo.value.message_dict


def test_no_price_before_the_catalogue_started(vcpu):
    with pytest.raises(Price.DoesNotExist):
        vcpu.price_on(datetime.date(2000, 1, 1))


def test_price_changes_are_audited_with_before_and_after(vcpu):
    set_price(vcpu, Decimal("55.00"), datetime.date(2027, 1, 1))
    entries = AuditEntry.objects.filter(object_type="catalogue.price").order_by("pk")
    update = entries.filter(action="update").last()
    assert update.before["valid_until"] is None and update.after["valid_until"] == "2026-12-31"
    create = entries.filter(action="create").last()
    assert create.after["amount"] == "55.00000000"  # at the column's eight decimals


def test_operators_edit_prices_through_the_api_and_others_cannot(vcpu, api, user_factory):
    operator = user_factory("op", is_operator=True)
    researcher = user_factory("researcher")
    payload = {"component": vcpu.pk, "amount": "60.00", "valid_from": "2030-01-01"}
    api.force_authenticate(researcher)
    assert api.post("/api/catalogue/prices/", payload, format="json").status_code == 403
    api.force_authenticate(operator)
    # The open price must be closed first: the API answers 400 naming the field, not 500.
    response = api.post("/api/catalogue/prices/", payload, format="json")
    assert response.status_code == 400 and "valid_from" in response.json()
    assert not Price.objects.filter(amount=Decimal("60.00")).exists()


def test_the_catalogue_is_public(demo, api, client):
    response = api.get("/api/catalogue/offerings/")
    assert response.status_code == 200
    assert {o["code"] for o in response.json()["results"]} >= {"cloud-vm", "hpc", "rack", "gpu-booking"}
    page = client.get("/catalogue/cloud-vm/")
    assert page.status_code == 200
    assert b"Gold" in page.content and b"50.00" in page.content


def test_operators_set_a_new_tariff_in_the_portal(vcpu, client, user_factory):
    researcher = user_factory("researcher")
    client.force_login(researcher)
    url = f"/catalogue/components/{vcpu.pk}/tariffs/"
    assert client.post(url, {"amount": "70", "valid_from": "2031-01-01"}).status_code == 403
    operator = user_factory("op", is_operator=True)
    client.force_login(operator)
    page = client.get("/catalogue/cloud-vm/")
    assert url.encode() in page.content
    response = client.post(url, {"amount": "70", "valid_from": "2031-01-01"}, follow=True)
    assert response.status_code == 200
    assert vcpu.price_on(datetime.date(2031, 1, 1)).amount == Decimal("70")
    assert vcpu.price_on(datetime.date(2030, 12, 31)).amount == Decimal("50")
    bad = client.post(url, {"amount": "-1", "valid_from": "2032-01-01"}, follow=True)
    assert "New price HT" in bad.content.decode()
    assert not Price.objects.filter(valid_from=datetime.date(2032, 1, 1)).exists()


def test_a_price_in_force_is_never_rewritten_through_the_api(vcpu, api, user_factory):
    """0.15 became 999 by a PATCH: the days it applied would be invoiced at the new amount."""
    api.force_authenticate(user_factory("op", is_operator=True))
    current = vcpu.price_on(datetime.date(2026, 6, 15))
    path = f"/api/catalogue/prices/{current.pk}/"
    for change in ({"amount": "999"}, {"valid_from": "2026-06-01"}, {"valid_until": "2026-01-31"}):
        response = api.patch(path, change, format="json")
        assert response.status_code == 400 and set(response.json()) == set(change), response.json()
    assert api.delete(path).status_code == 400
    current.refresh_from_db()
    assert (current.amount, current.valid_until) == (Decimal("50.00"), None)
    # It only gets an end date, from yesterday on; the correction is a new price.
    assert api.patch(path, {"valid_until": "2026-06-14"}, format="json").status_code == 200
    new = {"component": vcpu.pk, "amount": "45.00", "valid_from": "2026-06-15"}
    assert api.post("/api/catalogue/prices/", new, format="json").status_code == 201
    assert vcpu.price_on(datetime.date(2026, 6, 14)).amount == Decimal("50.00")
    assert vcpu.price_on(datetime.date(2026, 6, 15)).amount == Decimal("45.00")


def test_a_price_that_has_ended_stays_and_a_future_one_is_still_open_to_change(vcpu, api, user_factory):
    api.force_authenticate(user_factory("op", is_operator=True))
    future = set_price(vcpu, Decimal("55.00"), datetime.date(2027, 1, 1))
    assert api.patch(f"/api/catalogue/prices/{future.pk}/", {"amount": "56"}, format="json").status_code == 200
    electricity = Price.objects.get(component__sized_by="facility_kwh", amount=Decimal("0.15"))
    for change in ({"amount": "999"}, {"valid_until": "2030-12-31"}):
        response = api.patch(f"/api/catalogue/prices/{electricity.pk}/", change, format="json")
        assert response.status_code == 400 and set(response.json()) == set(change), response.json()
    assert api.delete(f"/api/catalogue/prices/{future.pk}/").status_code == 204


def test_a_new_tariff_cannot_start_in_the_past(vcpu):
    with pytest.raises(ValidationError) as excinfo:
        set_price(vcpu, Decimal("1"), datetime.date(2026, 3, 1))
    assert "valid_until" in excinfo.value.message_dict
    assert vcpu.price_on(datetime.date(2026, 3, 1)).amount == Decimal("50.00")
