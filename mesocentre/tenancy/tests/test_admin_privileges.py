"""In the admin, only superusers grant superuser (or staff, groups, permissions), and operators leave superusers be."""

import pytest
from django.contrib.auth.models import Group

from mesocentre.tenancy.models import User


@pytest.fixture
def people(user_factory):
    return {
        "operator": user_factory("op", is_operator=True),
        "target": user_factory("target"),
        "root": user_factory("root", is_superuser=True, is_staff=True),
    }


def change_url(user: User) -> str:
    return f"/admin/tenancy/user/{user.pk}/change/"


def form_data(user: User, **extra) -> dict:
    """What the change form posts for this user as it is (unchecked boxes are absent), plus extra."""
    data = {
        "username": user.username,
        "first_name": "Changed",
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "unix_login": "",
    }
    data.update(extra)
    return data


def test_an_operator_sees_the_privileges_read_only(client, people):
    client.force_login(people["operator"])
    body = client.get(change_url(people["target"])).content.decode()
    assert 'name="first_name"' in body  # the form is there…
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in body, field  # …without these inputs


@pytest.mark.parametrize(
    "crafted",
    [{"is_superuser": "on"}, {"is_staff": "on"}, {"groups": "GROUP"}, {"user_permissions": "1"}],
    ids=lambda crafted: next(iter(crafted)),
)
def test_an_operator_grants_no_privilege_with_a_crafted_post(client, people, crafted):
    group = Group.objects.create(name="everything")
    crafted = {key: str(group.pk) if value == "GROUP" else value for key, value in crafted.items()}
    client.force_login(people["operator"])
    for who in (people["target"], people["operator"]):  # nor to themselves
        response = client.post(change_url(who), form_data(who, **crafted))
        assert response.status_code == 403, who
        who.refresh_from_db()
        assert not who.is_superuser and who.first_name != "Changed"
        assert not who.groups.exists() and not who.user_permissions.exists()
    assert not people["target"].is_staff


def test_an_operator_still_edits_an_ordinary_user(client, people):
    client.force_login(people["operator"])
    target = people["target"]
    response = client.post(change_url(target), form_data(target, is_operator="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.first_name == "Changed" and target.is_operator
    assert target.is_staff and not target.is_superuser  # staff as operators are, nothing more


def test_a_superuser_grants_superuser(client, people):
    client.force_login(people["root"])
    target = people["target"]
    response = client.post(change_url(target), form_data(target, is_superuser="on", is_staff="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.is_superuser and target.is_staff


def test_an_operator_neither_edits_nor_deletes_a_superuser(client, people):
    root = people["root"]
    client.force_login(people["operator"])
    page = client.get(change_url(root))
    assert page.status_code == 200 and 'name="first_name"' not in page.content.decode()  # the read-only view
    assert client.post(change_url(root), form_data(root, is_superuser="on", is_staff="on")).status_code == 403
    assert client.get(f"/admin/tenancy/user/{root.pk}/password/").status_code == 403
    assert client.post(f"/admin/tenancy/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/tenancy/user/", {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 403)  # Django's "cannot delete" page, or a refusal
    root.refresh_from_db()
    assert root.first_name != "Changed"
    assert User.objects.filter(pk=root.pk, is_superuser=True).exists()


def test_through_the_api_an_operator_neither_edits_nor_deletes_a_superuser(api, people):
    root, target = people["root"], people["target"]
    api.force_authenticate(people["operator"])
    assert api.patch(f"/api/tenancy/users/{root.pk}/", {"email": "op@evil.example"}, format="json").status_code == 403
    assert api.delete(f"/api/tenancy/users/{root.pk}/").status_code == 403
    assert api.patch(f"/api/tenancy/users/{target.pk}/", {"first_name": "Ok"}, format="json").status_code == 200
    root.refresh_from_db()
    assert root.email != "op@evil.example"
    api.force_authenticate(root)
    assert api.patch(f"/api/tenancy/users/{root.pk}/", {"first_name": "Root"}, format="json").status_code == 200


def test_an_operator_still_adds_a_user(client, people):
    client.force_login(people["operator"])
    assert client.get("/admin/tenancy/user/add/").status_code == 200
    data = {"username": "newcomer", "usable_password": "false", "password1": "", "password2": ""}
    response = client.post("/admin/tenancy/user/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_superuser and not newcomer.is_staff
