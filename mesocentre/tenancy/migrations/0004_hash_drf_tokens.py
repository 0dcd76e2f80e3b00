"""DRF's tokens (rest_framework.authtoken, keys in clear) become hashed ApiToken rows, then are erased.

Scripts keep their key: it now matches its digest. The table is read with SQL, if it is there, because the app is
no longer installed (its migrations are not in the graph); it is emptied rather than dropped, so that its
migration records stay true. There is no way back: the keys in clear are gone, which is the point.
"""

import datetime
import hashlib

from django.db import migrations
from django.utils.dateparse import parse_datetime

DRF_TABLE = "authtoken_token"
PREFIX_LENGTH = 8


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("tenancy", "ApiToken")
    table, key, user_id, created = (schema_editor.quote_name(n) for n in (DRF_TABLE, "key", "user_id", "created"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, {user_id}, {created} FROM {table}")
        rows = cursor.fetchall()
    for drf_key, owner, made in rows:
        if isinstance(made, str):  # SQLite gives the text it stores: UTC, without a zone
            made = parse_datetime(made)
        if made is not None and made.tzinfo is None:
            made = made.replace(tzinfo=datetime.UTC)
        token = ApiToken.objects.create(
            user_id=owner, prefix=drf_key[:PREFIX_LENGTH], digest=hashlib.sha256(drf_key.encode()).hexdigest()
        )
        if made is not None:  # created is auto_now_add: keep the token's real age with an update
            ApiToken.objects.filter(pk=token.pk).update(created=made)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0003_apitoken"),
    ]

    operations = [
        migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop, elidable=True),
    ]
