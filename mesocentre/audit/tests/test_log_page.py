"""The audit log as operators read it: changes field by field, readable values, filters, and no login as an update."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from mesocentre.audit.changes import EMPTY, Change, Reader
from mesocentre.audit.models import AuditEntry
from mesocentre.core.actor import acting_as
from mesocentre.core.testing import WORLD_NOW
from mesocentre.tenancy.models import Establishment, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(user_factory):
    return user_factory("op", is_operator=True)


def page(client, operator, query: str = "", status: int = 200) -> str:
    if "_auth_user_id" not in client.session:
        client.force_login(operator)
    response = client.get(f"/audit/{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def changes_of(entry) -> list[Change]:
    with translation.override("en"):
        return Reader([entry]).changes(entry)


# ---- logins


def test_a_login_is_not_an_update_of_the_user(client, user_factory):
    person = user_factory("alice")
    assert person.last_login is None
    entries = AuditEntry.objects.count()
    response = client.post("/login/", {"username": "alice", "password": "pw"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_login is not None  # Django did save it
    assert AuditEntry.objects.count() == entries
    assert not AuditEntry.objects.filter(object_type="tenancy.user", object_id=str(person.pk), action="update")


def test_a_real_change_of_a_person_is_still_recorded_without_their_last_login(user_factory, operator):
    person = user_factory("alice")
    person.last_login = WORLD_NOW
    person.save()
    with acting_as(operator):
        person.first_name = "Alice"
        person.save()
    entry = AuditEntry.objects.filter(object_type="tenancy.user", object_id=str(person.pk)).first()
    assert entry.action == "update" and entry.after["first_name"] == "Alice"
    assert "last_login" not in entry.after and "password" not in entry.after
    assert [c.field for c in changes_of(entry)] == ["First name"]


def test_an_older_entry_that_was_only_a_login_reads_as_one(client, operator):
    AuditEntry.objects.create(
        actor="alice",
        action="update",
        object_type="tenancy.user",
        object_id="999",
        object_repr="alice",
        before={"username": "alice", "last_login": None},
        after={"username": "alice", "last_login": "2026-06-15T10:00:00Z"},
    )
    row = re.search(r"<tr><td>[^<]*</td><td>alice</td><td>([^<]*)</td>", page(client, operator))
    assert row and row.group(1) == "logged in"


# ---- changes, field by field


def test_create_update_delete_read_field_by_field(client, operator):
    with acting_as(operator):
        est = Establishment.objects.create(code="acme", name="Acme", kind="company")
        est.name, est.siret = "Acme SAS", ""
        est.save()
        est.delete()
    create, update, delete = AuditEntry.objects.filter(object_type="tenancy.establishment").order_by("pk")
    assert changes_of(update) == [Change("Name", "Acme", "Acme SAS")]  # only what changed
    created = {c.field: c for c in changes_of(create)}
    assert created["Name"] == Change("Name", None, "Acme") and created["Kind"].after == "company"
    assert created["SIRET"].after == EMPTY  # nothing, said as nothing
    removed = {c.field: c for c in changes_of(delete)}
    assert removed["Name"] == Change("Name", "Acme SAS", None) and removed["Code"].before == "acme"
    html = page(client, operator)
    assert 'Acme</span> <span aria-hidden="true">→</span>' in html and "becomes" in html
    assert text(html).count("Name : Acme SAS") == 1  # the deletion says what was removed


def test_values_are_written_for_people(operator):
    entry = AuditEntry(
        action="update",
        object_type="tenancy.user",
        object_id="1",
        before={"is_reviewer": False, "charter_accepted_at": None, "preferred_language": "fr"},
        after={"is_reviewer": True, "charter_accepted_at": "2026-12-01T17:05:00Z", "preferred_language": "en"},
    )
    changes = {c.field: (c.before, c.after) for c in changes_of(entry)}
    assert changes["Committee reviewer"] == ("no", "yes")
    assert changes[next(name for name in changes if "harter" in name)] == (EMPTY, "1 Dec 2026, 18:05")
    with translation.override("fr"):
        french = {c.field: c.after for c in Reader([entry]).changes(entry)}
    assert "1 déc. 2026, 18:05" in french.values()


def test_dates_numbers_and_links_in_the_page_language(operator):
    est = Establishment.objects.create(code="acme", name="Acme", kind="company")
    entry = AuditEntry(
        action="create",
        object_type="catalogue.price",
        object_id="7",
        after={"valid_from": "2026-12-01", "valid_until": None, "amount": "1500.500000"},
    )
    assert {c.field: c.after for c in changes_of(entry)} == {
        "Valid from": "1 Dec 2026",
        "Valid until": EMPTY,
        "Amount HT (€)": "1,500.5",
    }
    member = AuditEntry(
        action="create",
        object_type="tenancy.membership",
        object_id="1",
        after={"establishment": est.pk, "role": "manager"},
    )
    assert {c.field: c.after for c in changes_of(member)} == {"Establishment": "Acme", "Role": "establishment manager"}
    for stored in (424242, "not-a-key"):  # a row deleted since, a value no key could be
        gone = AuditEntry(
            action="create", object_type="tenancy.membership", object_id="2", after={"establishment": stored}
        )
        assert changes_of(gone)[0].after == f"#{stored}"


def test_an_unknown_model_keeps_raw_names_and_values():
    entry = AuditEntry(action="update", object_type="gone.widget", object_id="1", before={"size": 1}, after={"size": 2})
    assert changes_of(entry) == [Change("size", "1", "2")]


def test_the_page_costs_the_same_queries_for_3_or_30_entries(client, operator, user_factory):
    def count_for(n: int) -> int:
        for i in range(n):
            est = Establishment.objects.create(code=f"e{n}-{i}", name=f"E {n}-{i}", kind="school")
            Membership.objects.create(user=user_factory(f"u{n}-{i}"), establishment=est, role="manager")
        with CaptureQueriesContext(connection) as queries:
            html = page(client, operator, "?object_type=tenancy.membership")
        # The newest (the page holds 25): the linked row by its name, not its id.
        assert f"Establishment : E {n}-{n - 1}" in text(html)
        return len(queries)

    client.force_login(operator)
    assert count_for(3) == count_for(30)


# ---- filters


@pytest.fixture
def history(operator, user_factory):
    other = user_factory("someone-else", is_operator=True)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        with acting_as(operator):
            first = Establishment.objects.create(code="june", name="June School", kind="school")
    with time_machine.travel(datetime.datetime(2026, 6, 20, 21, 30, tzinfo=datetime.UTC), tick=False):
        with acting_as(other):  # 23:30 in Paris: still the 20th there
            Establishment.objects.create(code="late", name="Late School", kind="school")
            first.name = "June Academy"
            first.save()
    return first


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("?actor=else", {"Late School", "June Academy"}),
        ("?actor=op", {"June School"}),
        ("?action=create", {"June School", "Late School"}),
        ("?object_type=tenancy.establishment&object_id={pk}", {"June School", "June Academy"}),
        ("?since=2026-06-02", {"Late School", "June Academy"}),
        ("?until=2026-06-20", {"June School", "Late School", "June Academy"}),
        ("?until=2026-06-19", {"June School"}),
        ("?since=2026-06-20&until=2026-06-20&action=update", {"June Academy"}),
    ],
)
def test_filters_by_who_what_and_when(client, operator, history, query, shown):
    html = page(client, operator, query.format(pk=history.pk) + "&object_type=tenancy.establishment")
    names = {"June School", "Late School", "June Academy"}
    assert {name for name in names if f"<br>{name}</td>" in html} == shown
    assert 'name="since"' in html and 'type="date"' in html  # the form is on the page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?since=yesterday", "since", "Enter a valid date."),
        ("?object_type=nothing.here", "object_type", "Select a valid choice."),
        ("?action=login", "action", "Select a valid choice."),
        ("?since=2026-06-20&until=2026-06-01", "until", "The end date is before the start date."),
        ("?until=9999-12-31", "until", "Give a date between the years 2000 and 2999."),
        ("?since=0001-01-01", "since", "Give a date between the years 2000 and 2999."),
    ],
)
def test_invalid_filters_are_a_400_that_names_the_field(client, operator, history, query, field, message):
    html = page(client, operator, query, status=400)
    assert message in html and f'id="id_{field}"' in html and 'aria-invalid="true"' in html
    assert "June School" not in html


def test_pages_keep_the_filters(client, operator):
    with acting_as(operator):
        for i in range(51):
            Establishment.objects.create(code=f"e{i}", name=f"E {i}", kind="school")
    html = page(client, operator, "?object_type=tenancy.establishment&actor=op")
    link = re.search(r'<a href="(\?[^"]*page=2[^"]*)" rel="next">Next</a>', html)
    assert link and "object_type=tenancy.establishment" in link.group(1) and "actor=op" in link.group(1)
    assert "Page 1 of 3 (51 rows)" in html  # 25 a page


def test_the_api_takes_the_same_filters(api, operator, history):
    api.force_authenticate(operator)
    listed = api.get("/api/audit/entries/", {"actor": "else", "since": "2026-06-20", "action": "update"}).json()
    assert [e["object_repr"] for e in listed["results"]] == ["June Academy"]
    assert api.get("/api/audit/entries/", {"user": operator.pk}).json()["count"] == 1
    bad = api.get("/api/audit/entries/", {"since": "2026-13-01"})
    assert bad.status_code == 400 and "since" in bad.json()
    reversed_dates = api.get("/api/audit/entries/", {"since": "2026-06-20", "until": "2026-06-01"})
    assert reversed_dates.status_code == 400 and "until" in reversed_dates.json()


# ---- the table: pages, sorting


@pytest.fixture
def thirty(operator):
    """30 establishments created by the operator, one a minute, E 0…E 29: 30 entries."""
    for i in range(30):
        with time_machine.travel(WORLD_NOW + datetime.timedelta(minutes=i), tick=False), acting_as(operator):
            Establishment.objects.create(code=f"e{i}", name=f"E {i}", kind="school")


def objects(html: str) -> list[str]:
    return re.findall(r"<td>tenancy\.establishment #\d+<br>(E \d+)</td>", html)


def test_25_entries_a_page_newest_first(client, operator, thirty):
    first = objects(page(client, operator, "?object_type=tenancy.establishment"))
    assert len(first) == 25 and first[:2] == ["E 29", "E 28"]
    second = objects(page(client, operator, "?object_type=tenancy.establishment&page=2"))
    assert second == [f"E {i}" for i in range(4, -1, -1)]


@pytest.mark.parametrize(
    ("sort", "first"), [("time", "E 0"), ("-time", "E 29"), ("object", "E 0"), ("-object", "E 29")]
)
def test_sorted_by_time_and_by_object_both_ways(client, operator, thirty, sort, first):
    html = page(client, operator, f"?object_type=tenancy.establishment&sort={sort}&per_page=1")
    assert objects(html) == [first]
    assert html.count("aria-sort") == 1


@pytest.mark.parametrize("sort", ["before", "user__password", "-"])
def test_a_sort_on_no_column_keeps_the_newest_first(client, operator, thirty, sort):
    assert objects(page(client, operator, f"?object_type=tenancy.establishment&sort={sort}&per_page=1")) == ["E 29"]


@pytest.mark.parametrize(("asked", "per_page"), [("3", 3), ("101", 100), ("lots", 25)])
def test_per_page_is_bounded(client, operator, thirty, asked, per_page):
    client.force_login(operator)
    response = client.get("/audit/", {"per_page": asked})
    assert response.context["table"].paginator.per_page == per_page


def test_a_bad_action_is_a_400_naming_the_field(client, operator, thirty):
    client.force_login(operator)
    response = client.get("/audit/", {"action": "explode"})
    assert response.status_code == 400 and list(response.context["filter"].form.errors) == ["action"]
    assert objects(response.content.decode()) == []


def test_ids_sort_as_numbers_whatever_their_digits(client, operator):
    """Ids are text: "10" must not come before "9" (the order once depended on how many rows earlier tests made)."""
    for object_id in ("10", "9", "100"):
        AuditEntry.objects.create(
            actor="op",
            action="create",
            object_type="tenancy.establishment",
            object_id=object_id,
            object_repr=f"E {object_id}",
        )
    assert objects(page(client, operator, "?object_type=tenancy.establishment&sort=object")) == ["E 9", "E 10", "E 100"]
    assert objects(page(client, operator, "?object_type=tenancy.establishment&sort=-object"))[0] == "E 100"
