"""Personal API tokens are stored hashed, shown once, and rotate."""

import datetime
import hashlib
import re
from types import SimpleNamespace

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from mesocentre.core.testing import WORLD_NOW
from mesocentre.tenancy.models import ApiToken
from mesocentre.tenancy.services import rotate_token

MEMBERSHIPS = "/api/tenancy/memberships/"


def with_key(api, key: str):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_the_stored_row_does_not_hold_the_key(db, user_factory):
    user = user_factory("alice")
    key = rotate_token(user)
    assert len(key) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", key)  # 32 random bytes, URL-safe
    row = ApiToken.objects.get(user=user)
    with connection.cursor() as cursor:  # every column as the database holds it
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table} WHERE id = %s", [row.pk])
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert key not in stored and key[8:20] not in stored
    assert row.prefix == key[:8] and row.digest == hashlib.sha256(key.encode()).hexdigest()


def test_the_key_authenticates_and_a_wrong_one_with_the_same_prefix_does_not(db, api, user_factory):
    user = user_factory("alice")
    key = rotate_token(user)
    response = with_key(api, key).get(MEMBERSHIPS)
    assert response.status_code == 200 and response.wsgi_request.user == user
    forged = key[:8] + ("A" if key[8] != "A" else "B") + key[9:]
    assert with_key(api, forged).get(MEMBERSHIPS).status_code == 401
    assert with_key(api, key[:8]).get(MEMBERSHIPS).status_code == 401
    assert with_key(api, ApiToken.objects.get(user=user).digest).get(MEMBERSHIPS).status_code == 401


def test_rotating_invalidates_the_old_key(db, api, user_factory):
    user = user_factory("alice")
    old = rotate_token(user)
    new = rotate_token(user)
    assert old != new and ApiToken.objects.filter(user=user).count() == 1
    assert with_key(api, old).get(MEMBERSHIPS).status_code == 401
    assert with_key(api, new).get(MEMBERSHIPS).status_code == 200


def test_an_inactive_users_key_is_refused(db, api, user_factory):
    user = user_factory("alice")
    key = rotate_token(user)
    user.is_active = False
    user.save()
    response = with_key(api, key).get(MEMBERSHIPS)
    assert response.status_code == 401 and "inactive" in response.json()["detail"]


def test_last_used_is_recorded_without_a_write_at_every_call(db, api, user_factory, time_machine):
    time_machine.move_to(WORLD_NOW, tick=False)
    key = rotate_token(user_factory("alice"))
    assert ApiToken.objects.get().last_used_at is None
    with_key(api, key).get(MEMBERSHIPS)
    assert ApiToken.objects.get().last_used_at == WORLD_NOW
    with CaptureQueriesContext(connection) as queries:
        api.get(MEMBERSHIPS)
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    time_machine.move_to(WORLD_NOW + datetime.timedelta(minutes=5), tick=False)
    api.get(MEMBERSHIPS)
    assert ApiToken.objects.get().last_used_at == WORLD_NOW + datetime.timedelta(minutes=5)


def test_the_account_page_shows_the_key_once(db, client, user_factory):
    user = user_factory("alice")
    client.force_login(user)
    made = client.post("/tenancy/account/")
    key = re.search(r'<code id="api-token">([^<]+)</code>', made.content.decode()).group(1)
    assert ApiToken.objects.get(user=user).digest == hashlib.sha256(key.encode()).hexdigest()
    assert made["Cache-Control"] == "no-store"
    later = client.get("/tenancy/account/").content.decode()
    assert key not in later and key[:8] in later  # named by its prefix, never shown again


def test_the_admin_shows_no_key_nor_digest(db, client, user_factory):
    operator = user_factory("op", is_operator=True)
    key = rotate_token(user_factory("alice"))
    token = ApiToken.objects.get()
    client.force_login(operator)
    for path in ("/admin/tenancy/apitoken/", f"/admin/tenancy/apitoken/{token.pk}/change/"):
        body = client.get(path).content.decode()
        assert token.prefix in body and key not in body and token.digest not in body, path
    assert client.get("/admin/tenancy/apitoken/add/").status_code == 403
    client.post(f"/admin/tenancy/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert not ApiToken.objects.exists()  # operators revoke a token


def test_the_schema_knows_the_token_scheme_without_a_warning(db, client):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache  # what `spectacular` would print
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "Authorization"
    assert "account page" in scheme["description"]  # ours, which says where a token comes from
    assert client.get("/api/schema/").status_code == 200


# ------------------------------------------------------------------------------- DRF's tokens, migrated
def drf_migration():
    """The data migration by what it does, whatever its number becomes."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    (migration,) = [m for (app, name), m in loader.disk_migrations.items() if app == "tenancy" and "drf_tokens" in name]
    return migration.operations[0].code


def test_drf_tokens_become_hashed_rows_and_their_keys_keep_working(db, api, user_factory):
    from django.apps import apps

    user = user_factory("script-owner")
    drf_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # the shape of DRF's keys: 40 hex digits
    with connection.cursor() as cursor:  # DRF's table, as an installation that used rest_framework.authtoken has it
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp)")
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)", [drf_key, user.pk, datetime.datetime(2024, 3, 1, 9, 0)]
        )
    # What the migration uses of its schema editor (a real one refuses to open in a test's transaction on SQLite).
    drf_migration()(apps, SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name))
    token = ApiToken.objects.get(user=user)
    assert token.created.date() == datetime.date(2024, 3, 1)
    assert with_key(api, drf_key).get(MEMBERSHIPS).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # the keys in clear are gone
