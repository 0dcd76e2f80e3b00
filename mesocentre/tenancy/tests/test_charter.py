"""The usage charter, versioned: members accept the version in force; a new version asks everyone again."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from mesocentre.core.testing import WORLD_NOW
from mesocentre.tenancy import charter
from mesocentre.tenancy.models import CharterAcceptance, CharterVersion, User
from mesocentre.tenancy.registry import Event

DAY = datetime.timedelta(days=1)


@pytest.fixture
def people(db, user_factory, time_machine):
    time_machine.move_to(WORLD_NOW, tick=False)
    operator = user_factory("op", is_operator=True)
    version = CharterVersion.objects.create(
        number=1, text="Be fair.", text_fr="Soyez loyal.", in_force_from=WORLD_NOW - 30 * DAY, published_by=operator
    )
    ines = user_factory("ines", unix_login="ines")
    charter.accept(ines, version)
    paul = user_factory("paul", unix_login="paul")
    return {"operator": operator, "v1": version, "ines": ines, "paul": paul}


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_accepting_the_version_in_force_records_it_and_sets_the_date(people):
    ines, paul = people["ines"], people["paul"]
    assert fresh(ines).charter_accepted_at == WORLD_NOW
    assert not charter.must_accept(fresh(ines))
    assert charter.must_accept(fresh(paul)) and fresh(paul).charter_accepted_at is None
    charter.accept(paul, people["v1"])
    charter.accept(paul, people["v1"])  # twice: still one acceptance
    assert CharterAcceptance.objects.filter(user=paul).count() == 1
    assert not charter.must_accept(fresh(paul))


def test_a_new_version_in_force_now_asks_everyone_again_through_save(people, monkeypatch):
    from mesocentre.tenancy import models

    changed, real = [], models.announce

    def spy(event, **payload):
        if event == Event.USER_CHANGED:
            changed.append((payload["user"].username, payload["before"]))
        return real(event, **payload)

    monkeypatch.setattr(models, "announce", spy)
    v2 = charter.publish(people["operator"], text="Be fairer.")
    assert v2.number == 2 and v2.in_force_from == WORLD_NOW
    assert fresh(people["ines"]).charter_accepted_at is None
    assert charter.must_accept(fresh(people["ines"]))
    # The announcement the projects' listener queues the accounts on, for Inès only (Paul was not known anyway).
    assert changed == [("ines", {"charter_accepted_at": WORLD_NOW})]
    with pytest.raises(ValidationError) as refused:
        charter.accept(people["ines"], people["v1"])  # the old version no longer counts
    assert "version" in refused.value.message_dict
    charter.accept(people["ines"], v2)
    assert fresh(people["ines"]).charter_accepted_at is not None and not charter.must_accept(fresh(people["ines"]))


def test_a_version_for_a_later_day_asks_again_on_that_day_by_the_daily_command(people, time_machine):
    v2 = charter.publish(people["operator"], text="Later.", in_force_from=WORLD_NOW + 10 * DAY)
    assert fresh(people["ines"]).charter_accepted_at == WORLD_NOW, "not in force yet: nothing changes"
    assert not charter.must_accept(fresh(people["ines"]))
    call_command("users", "charter")
    assert fresh(people["ines"]).charter_accepted_at == WORLD_NOW
    time_machine.move_to(WORLD_NOW + 11 * DAY, tick=False)
    assert charter.must_accept(fresh(people["ines"])), "the portal asks from the version's day"
    call_command("users", "charter")
    assert fresh(people["ines"]).charter_accepted_at is None
    assert charter.enforce() == 0, "idempotent"
    charter.accept(people["ines"], v2)
    assert charter.enforce() == 0 and fresh(people["ines"]).charter_accepted_at == WORLD_NOW + 11 * DAY


def test_only_operators_publish(people):
    with pytest.raises(PermissionDenied):
        charter.publish(people["ines"], text="Mine.")
    assert CharterVersion.objects.count() == 1


def test_a_version_comes_into_force_after_the_ones_before(people):
    with pytest.raises(ValidationError) as refused:
        charter.publish(people["operator"], text="Earlier.", in_force_from=WORLD_NOW - 60 * DAY)
    assert "in_force_from" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        charter.publish(people["operator"], text="  ")
    assert "text" in refused.value.message_dict
    assert CharterVersion.objects.count() == 1


def test_an_installation_from_before_the_versions_adopts_version_one(db, user_factory):
    early, late = datetime.datetime(2025, 1, 5, tzinfo=datetime.UTC), datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    a = user_factory("a", charter_accepted_at=late)
    b = user_factory("b", charter_accepted_at=early)
    user_factory("c")
    version = charter.adopt_existing()
    assert version.number == 1 and version.in_force_from == early
    accepted = dict(CharterAcceptance.objects.values_list("user__username", "accepted_at"))
    assert accepted == {"a": late, "b": early}
    assert charter.adopt_existing() == version and CharterAcceptance.objects.count() == 2, "idempotent"
    assert not charter.must_accept(fresh(a)) and not charter.must_accept(fresh(b))


def test_nobody_accepted_and_no_version_nothing_is_adopted(db, user_factory):
    user_factory("a")
    assert charter.adopt_existing() is None and not CharterVersion.objects.exists()


# ------------------------------------------------------------------------------------------------ pages
def test_the_page_shows_the_version_in_force_in_the_pages_language(client, people):
    client.force_login(people["paul"])
    page = client.get(reverse("tenancy:charter")).content.decode()
    assert "Be fair." in page and 'id="charter-not-accepted"' in page and "I accept version 1" in page
    with translation.override("fr"):
        client.cookies["django_language"] = "fr"
        page = client.get(reverse("tenancy:charter"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Soyez loyal." in page


def test_accepting_on_the_page_goes_back_to_a_safe_next(client, people):
    client.force_login(people["paul"])
    response = client.post(reverse("tenancy:charter"), {"next": "/projects/jets/", "version": people["v1"].pk})
    assert response.status_code == 302 and response["Location"] == "/projects/jets/"
    assert fresh(people["paul"]).charter_accepted_at is not None
    page = client.get(reverse("tenancy:charter")).content.decode()
    assert 'id="charter-accepted"' in page and "I accept" not in page


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "abc", "projects:project_list"]
)
def test_an_unsafe_next_is_refused(client, people, unsafe):
    client.force_login(people["paul"])
    response = client.post(reverse("tenancy:charter") + "?next=" + unsafe, {"version": people["v1"].pk})
    assert response.status_code == 302 and response["Location"] == reverse("tenancy:charter")
    assert 'value="' + unsafe not in client.get(reverse("tenancy:charter"), {"next": unsafe}).content.decode()


def test_accepting_a_version_that_is_no_longer_in_force_is_refused(client, people):
    """The page was read before a new version came into force: the click does not accept a text never seen."""
    client.force_login(people["paul"])
    charter.publish(people["operator"], text="Be fairer.")
    response = client.post(reverse("tenancy:charter"), {"version": people["v1"].pk})
    assert response.status_code == 400 and "Be fairer." in response.content.decode()
    assert not CharterAcceptance.objects.filter(user=people["paul"]).exists()
    assert fresh(people["paul"]).charter_accepted_at is None


def test_enforce_writes_only_the_charter_date_of_the_row_as_it_is_now(people):
    """Enforcing clears the charter date and nothing else: what changed on the row meanwhile stays."""
    v2 = CharterVersion.objects.create(
        number=2, text="Be fairer.", in_force_from=WORLD_NOW - DAY, published_by=people["operator"]
    )
    User.objects.filter(pk=people["ines"].pk).update(is_active=False, first_name="Changed meanwhile")
    assert charter.enforce() == 1
    ines = fresh(people["ines"])
    assert ines.charter_accepted_at is None and not ines.is_active and ines.first_name == "Changed meanwhile"
    charter.accept(ines, v2)
    assert charter.enforce() == 0 and fresh(ines).charter_accepted_at is not None


def test_the_banner_asks_on_every_page_until_accepted_in_one_query(client, people):
    client.force_login(people["paul"])
    account = reverse("tenancy:account")
    assert 'id="charter-banner"' in client.get(account).content.decode()
    with CaptureQueriesContext(connection) as with_banner:
        client.get(account)
    charter.accept(people["paul"], people["v1"])
    with CaptureQueriesContext(connection) as without:
        page = client.get(account).content.decode()
    assert 'id="charter-banner"' not in page
    charter_queries = [q for q in with_banner.captured_queries if "tenancy_charterversion" in q["sql"]]
    assert len(charter_queries) == 1, "one query per request"
    assert len(with_banner) == len(without)


def test_no_banner_for_anonymous_visitors(client, people):
    page = client.get(reverse("billing:calculator")).content.decode()
    assert 'id="charter-banner"' not in page


def test_operators_publish_on_the_page_and_bad_input_names_the_field(client, people):
    client.force_login(people["operator"])
    assert client.get(reverse("tenancy:charter_create")).status_code == 200
    refused = client.post(reverse("tenancy:charter_create"), {"text": "", "in_force_from": ""})
    assert refused.status_code == 400 and "text" in refused.context["form"].errors
    refused = client.post(reverse("tenancy:charter_create"), {"text": "x", "in_force_from": "not a date"})
    assert refused.status_code == 400 and "in_force_from" in refused.context["form"].errors
    assert CharterVersion.objects.count() == 1
    done = client.post(reverse("tenancy:charter_create"), {"text": "Version two.", "text_fr": "Version deux."})
    assert done.status_code == 302 and CharterVersion.objects.in_force().text == "Version two."
    assert fresh(people["ines"]).charter_accepted_at is None


def test_members_do_not_publish(client, people):
    client.force_login(people["ines"])
    assert client.get(reverse("tenancy:charter_create")).status_code == 403
    assert client.post(reverse("tenancy:charter_create"), {"text": "Mine."}).status_code == 403
    assert CharterVersion.objects.count() == 1


def test_accepting_a_new_version_before_the_daily_run_dates_the_acceptance_of_it(people, time_machine):
    v2 = charter.publish(people["operator"], text="Later.", in_force_from=WORLD_NOW + 10 * DAY)
    time_machine.move_to(WORLD_NOW + 12 * DAY, tick=False)
    charter.accept(people["ines"], v2)
    assert fresh(people["ines"]).charter_accepted_at == WORLD_NOW + 12 * DAY
    assert charter.enforce() == 0 and not charter.must_accept(fresh(people["ines"]))


def test_the_data_migration_gives_existing_acceptances_version_one(db, user_factory):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("mesocentre.tenancy.migrations.0009_charter_version_one")
    early, late = datetime.datetime(2025, 1, 5, tzinfo=datetime.UTC), datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    user_factory("a", charter_accepted_at=late)
    user_factory("b", charter_accepted_at=early)
    user_factory("c")
    migration.adopt(apps, None)
    version = CharterVersion.objects.get()
    assert version.number == 1 and version.in_force_from == early
    assert dict(CharterAcceptance.objects.values_list("user__username", "accepted_at")) == {"a": late, "b": early}
    migration.adopt(apps, None)
    assert CharterVersion.objects.count() == 1 and CharterAcceptance.objects.count() == 2, "once"


def test_the_api_lists_the_versions_and_accepts_the_one_in_force(people, api):
    v2 = charter.publish(people["operator"], text="Later.", in_force_from=WORLD_NOW + 10 * DAY)
    api.force_authenticate(people["paul"])
    rows = {row["number"]: row for row in api.get(reverse("tenancy-api:charterversion-list")).json()["results"]}
    assert (rows[1]["in_force"], rows[1]["accepted"], rows[2]["in_force"]) == (True, False, False)
    refused = api.post(reverse("tenancy-api:charterversion-accept", args=[v2.pk]))
    assert refused.status_code == 400 and "version" in refused.json()
    done = api.post(reverse("tenancy-api:charterversion-accept", args=[people["v1"].pk]))
    assert done.status_code == 200 and done.json()["accepted"] is True
    assert fresh(people["paul"]).charter_accepted_at == WORLD_NOW


def test_the_api_list_takes_as_many_queries_for_2_versions_as_for_20(people, api):
    def listing(n):
        for number in range(CharterVersion.objects.count() + 1, n + 1):
            CharterVersion.objects.create(number=number, text="v", in_force_from=WORLD_NOW + number * DAY)
        api.force_authenticate(people["paul"])
        with CaptureQueriesContext(connection) as queries:
            assert api.get(reverse("tenancy-api:charterversion-list"), {"limit": 50}).status_code == 200
        return len(queries)

    assert listing(2) == listing(20)
