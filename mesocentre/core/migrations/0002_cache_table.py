"""The database cache's table (settings.CACHES), shared by every process: the API's throttle counts live there.

A migration rather than a step to remember: `mesocentre migrate` (so `mesocentre demo` and production) and the
tests' database, which pytest-django builds by migrating, all get it. createcachetable skips tables that exist.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
