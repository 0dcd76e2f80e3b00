import pytest

from mesocentre.audit.models import AuditEntry
from mesocentre.core.actor import acting_as
from mesocentre.tenancy.models import Establishment


def test_create_update_delete_are_recorded_with_who_and_before_after(db, user_factory):
    operator = user_factory("op", is_operator=True)
    with acting_as(operator):
        est = Establishment.objects.create(code="acme", name="Acme", kind="company")
        est.name = "Acme SAS"
        est.save()
        est.save()  # no change, no entry
        pk = est.pk
        est.delete()
    entries = list(AuditEntry.objects.filter(object_type="tenancy.establishment", object_id=str(pk)).order_by("pk"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.user == operator and e.actor == "op" for e in entries)
    assert entries[1].before["name"] == "Acme" and entries[1].after["name"] == "Acme SAS"
    assert entries[2].before["name"] == "Acme SAS" and entries[2].after is None


def test_entries_are_append_only(db):
    Establishment.objects.create(code="acme", name="Acme", kind="company")
    entry = AuditEntry.objects.first()
    entry.actor = "someone else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(actor="x")
    assert AuditEntry.objects.get(pk=entry.pk).actor != "someone else"


def test_api_changes_are_attributed_to_the_token_user(db, api, user_factory):
    from mesocentre.tenancy.services import rotate_token

    operator = user_factory("op", is_operator=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {rotate_token(operator)}")
    response = api.post("/api/tenancy/establishments/", {"code": "new", "name": "New", "kind": "school"}, format="json")
    assert response.status_code == 201, response.content
    entry = AuditEntry.objects.get(object_type="tenancy.establishment", action="create")
    assert entry.user == operator
    log = api.get("/api/audit/entries/")
    assert log.status_code == 200 and log.json()["count"] >= 1
    api.credentials()
    api.force_authenticate(user_factory("nobody"))
    assert api.get("/api/audit/entries/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_an_operator_deletes_their_own_account_and_the_audit_keeps_their_name(user_factory, api, client):
    """The entry of the deletion named the person being deleted: the foreign key failed at commit, a 500."""
    from mesocentre.tenancy.models import User

    operator = user_factory("op", is_operator=True)
    token = user_factory("token-holder")
    api.force_authenticate(operator)
    assert api.delete(f"/api/tenancy/users/{operator.pk}/").status_code == 204
    assert not User.objects.filter(pk=operator.pk).exists()
    entry = AuditEntry.objects.get(object_type="tenancy.user", object_id=str(operator.pk), action="delete")
    assert entry.user is None and entry.actor == "op"
    # The same from the admin, by a superuser.
    admin = user_factory("root", is_superuser=True, is_staff=True, is_operator=True)
    client.force_login(admin)
    response = client.post(f"/admin/tenancy/user/{admin.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not User.objects.filter(pk=admin.pk).exists()
    deleted = AuditEntry.objects.get(object_type="tenancy.user", object_id=str(admin.pk), action="delete")
    assert deleted.actor == "root" and deleted.user is None
    assert User.objects.filter(pk=token.pk).exists()
