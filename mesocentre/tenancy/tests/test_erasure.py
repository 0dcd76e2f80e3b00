"""Erasure (GDPR): who may erase whom, through which door, the audit log's one rewrite, and the replacement of a
person's strings (the whole journey of a researcher is in projects/tests/test_erasure.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from mesocentre.audit.models import AuditEntry
from mesocentre.core.actor import acting_as
from mesocentre.core.pseudonyms import replace_json_strings, replace_words
from mesocentre.core.testing import WORLD_NOW
from mesocentre.tenancy.erasure import erase, erase_user
from mesocentre.tenancy.models import User


@pytest.fixture
def people(user_factory, time_machine):
    time_machine.move_to(WORLD_NOW, tick=True)
    return {
        "operator": user_factory("operator", is_operator=True),
        "other_operator": user_factory("other-operator", is_operator=True),
        "root": user_factory("root", is_superuser=True),
        "alice": user_factory("alice", first_name="Alice", last_name="Martin", email="alice@lab.example"),
        "bob": user_factory("bob", first_name="Bob", email="bob@lab.example"),
    }


# ---------------------------------------------------------------------------------------------- the pure parts
def test_whole_json_strings_are_replaced_at_any_depth_keys_included():
    value = {
        "users": ["alice", "bob", "alice2"],
        "alice": {"email": "alice@lab.example", "note": "alice and bob", "n": 3, "ok": True, "none": None},
        "nested": [[{"who": "alice"}]],
    }
    replaced = replace_json_strings(value, {"alice": "erased-1", "alice@lab.example": "erased-1", "Alice M": ""})
    assert replaced == {
        "users": ["erased-1", "bob", "alice2"],
        "erased-1": {"email": "erased-1", "note": "alice and bob", "n": 3, "ok": True, "none": None},
        "nested": [[{"who": "erased-1"}]],
    }
    assert value["users"][0] == "alice", "the value given is not modified"
    assert replace_json_strings(None, {"alice": "x"}) is None
    assert replace_json_strings("alice", {}) == "alice"


def test_words_are_replaced_whole_never_inside_a_longer_one():
    words = {"al": "erased-1", "al@lab.example": "erased-1", "Alice Martin": "erased-1"}
    assert replace_words("al @ University (member)", words) == "erased-1 @ University (member)"
    assert replace_words("Alice Martin in jets (PI)", words) == "erased-1 in jets (PI)"
    assert replace_words("mail al@lab.example.", words) == "mail erased-1."
    assert replace_words("also alpha, val, al2, al.b, x-al", words) == "also alpha, val, al2, al.b, x-al"
    assert replace_words("", words) == "" and replace_words("al", {}) == "al"


def test_the_audit_log_refuses_every_other_rewrite(people):
    entry = AuditEntry.objects.filter(object_type="tenancy.user").first()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor="someone else")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_pseudonymise_touches_only_the_entries_that_name_the_person(people):
    alice, bob = people["alice"], people["bob"]
    with acting_as(alice):
        bob.first_name = "Robert"
        bob.save()
    untouched = list(AuditEntry.objects.exclude(user=alice).exclude(object_id=str(alice.pk)).values())
    changed = AuditEntry.objects.pseudonymise(
        user_id=alice.pk,
        pseudonym="erased-x",
        about=("tenancy.user", str(alice.pk)),
        fields={"username": "erased-x", "first_name": ""},
        strings={"alice": "erased-x"},
        words={"alice": "erased-x"},
    )
    assert changed == 2  # her creation, and bob's change made by her
    assert list(AuditEntry.objects.exclude(user=alice).exclude(object_id=str(alice.pk)).values()) == untouched
    by_her = AuditEntry.objects.get(user=alice)
    assert by_her.actor == "erased-x" and by_her.after["first_name"] == "Robert"
    about_her = AuditEntry.objects.get(object_type="tenancy.user", object_id=str(alice.pk))
    assert about_her.after["username"] == "erased-x" and about_her.after["first_name"] == ""
    assert about_her.after["last_name"] == "Martin", "only the fields given"


# ---------------------------------------------------------------------------------------------- who may
def test_only_operators_erase_and_nobody_themselves(people, api):
    alice, bob = people["alice"], people["bob"]
    with pytest.raises(PermissionDenied):
        erase_user(bob, alice)
    with pytest.raises(PermissionDenied):
        erase_user(people["operator"], people["operator"])
    with pytest.raises(PermissionDenied):
        erase_user(people["operator"], people["other_operator"])
    with pytest.raises(PermissionDenied):
        erase_user(people["operator"], people["root"])
    api.force_authenticate(bob)
    assert api.post(f"/api/tenancy/users/{alice.pk}/erase/").status_code == 403
    assert api.post(f"/api/tenancy/users/{bob.pk}/erase/").status_code == 403
    api.force_authenticate(people["operator"])
    assert api.post(f"/api/tenancy/users/{people['other_operator'].pk}/erase/").status_code == 403
    assert api.post("/api/tenancy/users/", {"username": "new"}).status_code == 405, "still no account made here"
    assert User.objects.filter(username__startswith="erased-").count() == 0
    assert User.objects.get(pk=alice.pk).is_active


def test_a_superuser_erases_an_operator(people):
    erased = erase_user(people["root"], people["other_operator"])
    assert erased.username == f"erased-{erased.pk}"
    assert not (erased.is_operator or erased.is_staff or erased.is_active)
    # The instance returned is an ordinary one again: its username is fixed, its changes recorded.
    erased.username = "renamed"
    with pytest.raises(ValidationError):
        erased.save()
    erased.refresh_from_db()
    erased.preferred_language = "en"
    erased.save()
    assert AuditEntry.objects.first().after["preferred_language"] == "en"


def test_erasing_twice_is_refused_and_changes_nothing(people, api):
    alice = people["alice"]
    erase_user(people["operator"], alice)
    entries = list(AuditEntry.objects.values())
    with pytest.raises(ValidationError) as excinfo:
        erase_user(people["operator"], alice)
    assert "already erased" in excinfo.value.message_dict["user"][0]
    api.force_authenticate(people["operator"])
    response = api.post(f"/api/tenancy/users/{alice.pk}/erase/")
    assert response.status_code == 400 and "already erased" in response.json()["user"][0]
    assert list(AuditEntry.objects.values()) == entries


# ---------------------------------------------------------------------------------------------- the doors
def test_the_api_returns_the_pseudonymised_profile(people, api):
    alice = people["alice"]
    api.force_authenticate(people["operator"])
    response = api.post(f"/api/tenancy/users/{alice.pk}/erase/")
    assert response.status_code == 200
    assert response.json() | {"id": 0} == {
        "id": 0,
        "username": f"erased-{alice.pk}",
        "first_name": "",
        "last_name": "",
        "email": "",
        "email_pending": None,
        "unix_login": None,
        "is_active": False,
        "is_operator": False,
        "is_reviewer": False,
        "preferred_language": "fr",
    }
    assert api.post("/api/tenancy/users/999999/erase/").status_code == 404


def test_the_erasure_is_one_entry_that_names_nobody(people):
    alice = people["alice"]
    with acting_as(people["operator"]):
        done = erase(people["operator"], alice)
    entry = AuditEntry.objects.first()
    assert (entry.user, entry.actor, entry.object_repr) == (people["operator"], "operator", done.pseudonym)
    assert "alice" not in str(entry.before).lower() + str(entry.after).lower()
    assert not AuditEntry.objects.filter(object_repr__icontains="alice").exists()


def test_the_command_erases_and_says_what_it_did(people, capsys):
    call_command("users", "erase", "alice", "--yes")
    out = capsys.readouterr().out
    alice = User.objects.get(pk=people["alice"].pk)
    assert f"Erased alice (user #{alice.pk}): now erased-{alice.pk}" in out
    assert "audit entries pseudonymised" in out
    assert alice.username == f"erased-{alice.pk}"
    assert AuditEntry.objects.first().actor == "command line (users erase)"


def test_the_command_exits_2_on_an_unknown_username_or_a_second_erasure(people):
    with pytest.raises(CommandError) as excinfo:
        call_command("users", "erase", "nobody", "--yes")
    assert excinfo.value.returncode == 2 and "'nobody': no such user" in str(excinfo.value)
    call_command("users", "erase", "alice", "--yes")
    pseudonym = f"erased-{people['alice'].pk}"
    with pytest.raises(CommandError) as excinfo:
        call_command("users", "erase", pseudonym, "--yes")
    assert excinfo.value.returncode == 2 and "already erased" in str(excinfo.value)


def test_the_command_asks_first(people, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError) as excinfo:
        call_command("users", "erase", "alice")
    assert excinfo.value.returncode == 1
    assert User.objects.get(pk=people["alice"].pk).username == "alice"


def test_operators_erase_from_the_admin_list(people):
    client = Client()
    client.force_login(people["operator"])
    ids = [people["alice"].pk, people["other_operator"].pk]
    response = client.post("/admin/tenancy/user/", {"action": "erase", "_selected_action": ids}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"erased-{people['alice'].pk}" in page
    assert "Only a superuser erases an operator" in page
    assert User.objects.get(pk=people["alice"].pk).erased_at is not None
    assert User.objects.get(pk=people["other_operator"].pk).erased_at is None
