import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mesocentre.audit.models import AuditEntry
from mesocentre.catalogue.models import Component, Price
from mesocentre.catalogue.services import set_price


@pytest.fixture
def vcpu(demo) -> Component:
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
    assert create.after["amount"] == "55.000000"


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
