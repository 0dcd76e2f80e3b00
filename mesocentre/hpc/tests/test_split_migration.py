"""The split of release 2026.12 (the HPC models leave ``projects`` for ``hpc``) on a copy of the demo: every row
stays, the content types follow, and the audit log still reads its past entries, which name ``projects.*``.

The demo is loaded with today's code, the database is migrated back to before the split (the tables under their
old names, as an installation of the previous release holds them), its audit entries are made to name the models
as the previous release wrote them, and the database is migrated forward again.
"""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mesocentre.audit.changes import Reader, model_of
from mesocentre.audit.filtersets import AuditEntryFilterSet
from mesocentre.audit.models import AuditEntry
from mesocentre.hpc.models import Allocation, AllocationRequest

MOVED = [m._meta.model_name for m in apps.get_app_config("hpc").get_models()]
BEFORE_SPLIT = [("projects", "0006_request_withdrawn"), ("hpc", None)]
# Apps that came after the split, whose migrations depend on it: unapplied on the way back, made again forward.
NEWER_APPS = ("resources_", "projects_payerperiod", "billing_budget", "billing_chorusdeposit", "billing_pricedusage")


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def table_rows() -> dict[str, int]:
    """Rows per table, by SQL: the same question before and after, whatever the models' state says."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - the database's own table names
            counts[table] = cursor.fetchone()[0]
    return counts


def renamed(counts: dict[str, int]) -> dict[str, int]:
    """The counts under the tables' names before the split (the migrations' own bookkeeping and the apps that came
    after the split left out: they differ)."""
    return {
        (f"projects_{table[4:]}" if table.startswith("hpc_") and table[4:] in MOVED else table): n
        for table, n in counts.items()
        if table != "django_migrations" and not table.startswith(NEWER_APPS)
    }


@pytest.mark.django_db(transaction=True)
def test_the_split_keeps_every_row_the_content_types_and_the_audit_history(demo):
    rows = table_rows()
    assert rows["hpc_allocation"] > 0 and rows["hpc_allocationrequest"] > 0 and rows["hpc_review"] > 0
    type_ids = {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="hpc")}
    assert set(type_ids) == set(MOVED)
    allocation = Allocation.objects.order_by("pk").first()
    audited = AuditEntry.objects.filter(object_type="hpc.allocation", object_id=str(allocation.pk))
    entries = audited.count()
    assert entries > 0

    try:
        migrate(BEFORE_SPLIT)
        # The previous release's database: its tables, its content types, its audit labels.
        assert renamed(table_rows()) == renamed(rows)
        assert {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="projects", model__in=MOVED)} == type_ids
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditentry SET object_type = 'projects.' || substr(object_type, 5) "
                "WHERE object_type LIKE 'hpc.%%'"
            )
    finally:
        migrate(latest())

    def older(counts):  # the apps that came after the split were unapplied and made again: theirs differ
        return {table: n for table, n in counts.items() if not table.startswith(NEWER_APPS)}

    assert older(table_rows()) == older(rows), "every table keeps every row, under its new name"
    assert {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="hpc")} == type_ids
    assert not ContentType.objects.filter(app_label="projects", model__in=MOVED).exists()
    assert Allocation.objects.get(pk=allocation.pk).project_id == allocation.project_id

    # The past entries name projects.allocation: the log finds them as the allocation's and reads their fields.
    old = AuditEntry.objects.filter(object_type="projects.allocation", object_id=str(allocation.pk))
    assert old.count() == entries and model_of("projects.allocation") is Allocation
    found = AuditEntryFilterSet({"object_type": "hpc.allocation", "object_id": str(allocation.pk)}).qs
    assert set(found) == set(old)
    created = old.get(action=AuditEntry.Action.CREATE)
    labels = {change.field for change in Reader([created]).changes(created)}
    assert {"Cluster", "Project"} <= labels, "the fields are named by the model, as before the split"
    assert model_of("projects.allocationrequest") is AllocationRequest


@pytest.mark.django_db(transaction=True)
def test_content_types_made_twice_are_merged_with_their_permissions():
    """A ``migrate`` stopped after hpc 0001 lets post_migrate create hpc's content types beside projects' ones:
    0002 then moves who holds the old permissions to the new ones and removes the old types."""
    from django.contrib.auth.models import Group, Permission

    try:
        migrate(BEFORE_SPLIT)
        old = ContentType.objects.get(app_label="projects", model="allocation")
        view_old = Permission.objects.get(content_type=old, codename="view_allocation")
        group = Group.objects.create(name="allocation readers")
        group.permissions.add(view_old)
        migrate([("projects", "0007_hpc_models_leave"), ("hpc", "0001_initial")])
        new = ContentType.objects.create(app_label="hpc", model="allocation")
        view_new = Permission.objects.create(content_type=new, codename="view_allocation", name="Can view")
    finally:
        migrate(latest())

    assert not ContentType.objects.filter(app_label="projects", model="allocation").exists()
    assert list(group.permissions.all()) == [view_new]
    assert Permission.objects.filter(codename="view_allocation").count() == 1
