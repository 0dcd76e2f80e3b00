import pytest
from django.core.exceptions import ValidationError

from mesocentre.audit.models import AuditEntry
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, User
from mesocentre.tenancy.validators import validate_french_vat, validate_siret, validate_unix_login


def test_siret_and_vat_checks():
    validate_siret("19311384200010")
    validate_french_vat("FR17193113842")
    for bad in ("1931138420001", "19311384200011", "abcdefghijklmn"):
        with pytest.raises(ValidationError):
            validate_siret(bad)
    for bad in ("FR18193113842", "DE17193113842", "FR1719311384"):
        with pytest.raises(ValidationError):
            validate_french_vat(bad)


@pytest.mark.parametrize("login", ["a; rm -rf /", "Alice", "1abc", "x" * 33, "", "a b"])
def test_unix_login_refuses_what_a_cluster_would_not_take(login):
    with pytest.raises(ValidationError):
        validate_unix_login(login)


def test_user_with_bad_unix_login_is_not_saved(db):
    with pytest.raises(ValidationError):
        User.objects.create(username="x", unix_login="bad login")
    assert not User.objects.filter(username="x").exists()


def test_establishment_validation_names_the_field(db):
    with pytest.raises(ValidationError) as excinfo:
        Establishment.objects.create(code="bad", name="Bad", kind="university", siret="123")
    assert "siret" in excinfo.value.message_dict
    assert Establishment(code="c", name="C", kind="company").price_list_code == "company"
    assert Establishment(code="u", name="U", kind="university").price_list_code == "academic"


def test_joint_laboratory_and_membership_rules(demo):
    irit = Laboratory.objects.get(code="irit")
    assert irit.establishments.count() == 4
    inrae = Establishment.objects.get(code="inrae")
    user = User.objects.get(username="pi-irit")
    with pytest.raises(ValidationError) as excinfo:
        Membership.objects.create(user=user, establishment=inrae, laboratory=irit)
    assert "laboratory" in excinfo.value.message_dict


def test_demo_has_every_role_and_is_idempotent(demo):
    from mesocentre.core.demo import load_demo

    counts = (User.objects.count(), Establishment.objects.count(), AuditEntry.objects.count())
    load_demo()
    assert (User.objects.count(), Establishment.objects.count()) == counts[:2]
    assert AuditEntry.objects.count() == counts[2], "a second load changed something"
    assert User.objects.filter(is_operator=True).exists()
    assert User.objects.filter(is_reviewer=True).exists()
    assert Membership.objects.filter(role="manager").exists() and Membership.objects.filter(role="member").exists()
    assert set(Establishment.objects.values_list("kind", flat=True)) == {k for k, _ in Establishment.Kind.choices}


def test_managers_see_their_members_and_members_only_themselves(demo):
    manager = User.objects.get(username="manager-ut3")
    member = User.objects.get(username="member-irit")
    assert set(User.objects.visible_to(member)) == {member}
    visible = set(User.objects.visible_to(manager).values_list("username", flat=True))
    assert {"manager-ut3", "pi-irit", "member-irit"} <= visible
    assert "manager-cnrs" not in visible
    assert list(Establishment.objects.visible_to(member).values_list("code", flat=True)) == ["ut3"]


def test_the_last_manager_cannot_be_removed_through_the_api(demo, api):
    manager = User.objects.get(username="manager-ut3")
    membership = Membership.objects.get(user=manager, establishment__code="ut3")
    api.force_authenticate(manager)
    response = api.delete(f"/api/tenancy/memberships/{membership.pk}/")
    assert response.status_code == 400 and "role" in response.json()
    assert Membership.objects.filter(pk=membership.pk).exists()
    member = Membership.objects.get(user__username="member-irit")
    assert api.delete(f"/api/tenancy/memberships/{member.pk}/").status_code == 204
