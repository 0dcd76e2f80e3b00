"""The operations teams: seeded in every installation, operators only as members (the model says so with the field
named, the database refuses it too), an operator in a team keeps the flag, and the operators' API."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from mesocentre.audit.models import AuditEntry
from mesocentre.core.actor import acting_as
from mesocentre.tenancy.erasure import erase
from mesocentre.tenancy.models import Team, TeamMembership, User, is_team_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(user_factory):
    return {
        "operator": user_factory("operator", is_operator=True),
        "other_operator": user_factory("other-operator", is_operator=True),
        "root": user_factory("root", is_superuser=True),
        "alice": user_factory("alice"),
    }


def test_the_four_teams_of_the_offer_are_seeded():
    teams = {team.code: team.kind for team in Team.objects.all()}
    assert teams == {"hosting": "hosting", "cloud": "cloud", "compute": "compute", "cross-cutting": "cross-cutting"}
    assert Team.objects.get(code="cross-cutting").get_kind_display() == "cross-cutting"


def test_a_non_operator_is_refused_with_the_field_named(people):
    membership = TeamMembership(team=Team.objects.get(code="cloud"), user=people["alice"])
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert "alice" in refused.value.message_dict["user"][0]
    with pytest.raises(ValidationError) as refused:
        membership.save()  # save() validates too: no path skips the message
    assert list(refused.value.message_dict) == ["user"]
    assert not TeamMembership.objects.exists()


def test_the_database_refuses_a_non_operator_member_whatever_the_path(people):
    team = Team.objects.get(code="cloud")
    with pytest.raises(IntegrityError, match="operator_only"), transaction.atomic():
        TeamMembership.objects.bulk_create([TeamMembership(team=team, user=people["alice"])])  # skips save()
    TeamMembership.objects.bulk_create([TeamMembership(team=team, user=people["operator"])])
    assert list(team.members.all()) == [people["operator"]]


def test_an_operator_in_a_team_keeps_the_flag_until_they_leave_it(people):
    operator = people["operator"]
    team = Team.objects.get(code="compute")
    team.memberships.create(user=operator)
    operator.is_operator = False
    with pytest.raises(ValidationError) as refused:
        operator.save()
    assert "Compute team" in refused.value.message_dict["is_operator"][0]
    with pytest.raises(IntegrityError, match="stay_operators"), transaction.atomic():
        User.objects.filter(pk=operator.pk).update(is_operator=False)  # the database says no as well
    team.memberships.filter(user=operator).delete()
    operator.save()
    operator.refresh_from_db()
    assert operator.is_operator is False


def test_of_and_is_team_member(people):
    cloud, compute = Team.objects.get(code="cloud"), Team.objects.get(code="compute")
    cloud.memberships.create(user=people["operator"])
    assert list(Team.objects.of(people["operator"])) == [cloud]
    assert is_team_member(people["operator"], cloud) and not is_team_member(people["operator"], compute)
    assert not is_team_member(people["other_operator"], cloud)
    assert not Team.objects.of(people["alice"]).exists()


def test_an_erased_operator_leaves_their_teams(people):
    operator = people["operator"]
    Team.objects.get(code="hosting").memberships.create(user=operator)
    erase(people["root"], operator)
    assert not TeamMembership.objects.filter(user=operator).exists()
    operator.refresh_from_db()
    assert operator.is_operator is False


def test_a_team_and_its_members_are_audited(people):
    with acting_as(people["operator"]):
        team = Team.objects.create(code="network", name="Network team", kind="cross-cutting")
        team.memberships.create(user=people["other_operator"])
    assert AuditEntry.objects.filter(object_type="tenancy.team", object_id=str(team.pk), action="create").exists()
    assert AuditEntry.objects.filter(object_type="tenancy.teammembership", action="create").exists()


# ---------------------------------------------------------------------------------------------- the API
def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_operators_read_the_teams_with_their_members_and_others_nothing(people):
    Team.objects.get(code="cloud").memberships.create(user=people["operator"])
    url = reverse("tenancy-api:team-list")
    rows = {row["code"]: row for row in client_of(people["other_operator"]).get(url).json()["results"]}
    assert set(rows) == {"hosting", "cloud", "compute", "cross-cutting"}
    assert rows["cloud"]["members"] == [people["operator"].pk]
    assert client_of(people["alice"]).get(url).status_code == 403
    assert Client().get(url).status_code in (401, 403)
    filtered = client_of(people["operator"]).get(url, {"member": people["operator"].pk}).json()["results"]
    assert [row["code"] for row in filtered] == ["cloud"]


def test_the_api_sets_members_and_refuses_a_non_operator_naming_the_field(people):
    client = client_of(people["operator"])
    url = reverse("tenancy-api:team-list")
    refused = client.post(
        url,
        {"code": "network", "name": "Network", "kind": "cross-cutting", "members": [people["alice"].pk]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "alice" in refused.json()["members"][0]
    assert not Team.objects.filter(code="network").exists()
    made = client.post(
        url,
        {"code": "network", "name": "Network", "kind": "cross-cutting", "members": [people["operator"].pk]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    detail = reverse("tenancy-api:team-detail", args=[made.json()["id"]])
    changed = client.patch(detail, {"members": [people["other_operator"].pk]}, content_type="application/json")
    assert changed.json()["members"] == [people["other_operator"].pk]
    assert list(Team.objects.get(code="network").members.all()) == [people["other_operator"]]
    bad_kind = client.patch(detail, {"kind": "catering"}, content_type="application/json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()


def test_the_operators_list_of_teams(people):
    Team.objects.get(code="compute").memberships.create(user=people["other_operator"])
    page = client_of(people["operator"]).get(reverse("tenancy:team_list"), {"kind": "compute"})
    assert page.status_code == 200
    assert b"Compute team" in page.content and b"other-operator" in page.content
    assert b"Hosting team" not in page.content
    assert client_of(people["alice"]).get(reverse("tenancy:team_list")).status_code == 403
    assert client_of(people["operator"]).get(reverse("tenancy:team_list"), {"kind": "catering"}).status_code == 400
