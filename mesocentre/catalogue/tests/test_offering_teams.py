"""Each offering belongs to an operations team: by its kind unless told otherwise, never none."""

import datetime
import importlib

import pytest
from django.test import Client
from django.urls import reverse

from mesocentre.catalogue import demo
from mesocentre.catalogue.models import TEAM_OF_KIND, Offering
from mesocentre.tenancy.models import Team

pytestmark = pytest.mark.django_db


def test_every_kind_has_a_team_and_the_migration_maps_them_as_the_model_does():
    assert set(TEAM_OF_KIND) == set(Offering.Kind.values)
    migration = importlib.import_module("mesocentre.catalogue.migrations.0003_offering_team")
    assert migration.TEAM_OF_KIND == {str(kind): str(team) for kind, team in TEAM_OF_KIND.items()}
    assert Offering._meta.get_field("team").null is False


def test_every_offering_of_the_catalogue_has_the_team_of_its_kind():
    demo.load(datetime.date(2026, 6, 15))
    offerings = list(Offering.objects.select_related("team"))
    assert len(offerings) >= 8
    assert {(o.kind, o.team.code) for o in offerings} == {(o.kind, TEAM_OF_KIND[o.kind]) for o in offerings}
    assert Offering.objects.get(kind="rack").team.code == "hosting"
    assert Offering.objects.get(kind="firewall").team.code == "cross-cutting"


def test_a_team_given_is_kept_and_a_deleted_standard_team_comes_back():
    compute = Team.objects.get(code="compute")
    assert Offering.objects.create(code="gpu-s", name="GPU", kind="storage", team=compute).team == compute
    Team.objects.filter(code="hosting").delete()
    assert Offering.objects.create(code="racks", name="Racks", kind="rack").team.code == "hosting"


def test_the_catalogue_s_api_and_pages_show_the_team(user_factory):
    Offering.objects.create(code="vm", name="Virtual machines", kind="cloud-vm")
    Offering.objects.create(code="hours", name="HPC hours", kind="hpc")
    rows = Client().get(reverse("catalogue-api:offering-list"), {"team": "cloud"}).json()["results"]
    assert [row["code"] for row in rows] == ["vm"]
    assert rows[0]["team"] == Team.objects.get(code="cloud").pk
    assert "Cloud team" in Client().get(reverse("catalogue:offering_list")).content.decode()
    assert "Compute team" in Client().get(reverse("catalogue:offering_detail", args=["hours"])).content.decode()
    operator = Client()
    operator.force_login(user_factory("operator", is_operator=True))
    made = operator.post(
        reverse("catalogue-api:offering-list"),
        {"code": "fw", "name": "Firewall", "kind": "firewall"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["team"] == Team.objects.get(code="cross-cutting").pk
    bad = operator.post(
        reverse("catalogue-api:offering-list"),
        {"code": "fw2", "name": "Firewall", "kind": "firewall", "team": 999999},
        content_type="application/json",
    )
    assert bad.status_code == 400 and list(bad.json()) == ["team"]
