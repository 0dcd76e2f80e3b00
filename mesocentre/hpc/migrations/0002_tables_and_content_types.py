from django.db import migrations

MOVED = [
    "allocation",
    "allocationrequest",
    "call",
    "changerequest",
    "decision",
    "review",
    "reviewassignment",
    "round",
    "roundbudget",
    "sentnotification",
]


def _move_content_types(apps, schema_editor, source: str, target: str) -> None:
    """The models' content types follow them (their permissions and admin log entries point at them). On a new
    installation there are none yet: post_migrate creates them under hpc."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def to_hpc(apps, schema_editor):
    _move_content_types(apps, schema_editor, "projects", "hpc")


def to_projects(apps, schema_editor):
    _move_content_types(apps, schema_editor, "hpc", "projects")


class Migration(migrations.Migration):

    dependencies = [
        ('hpc', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    # projects_allocation → hpc_allocation…: a rename, every row stays (PostgreSQL and SQLite alike).
    operations = [
        migrations.RunPython(to_hpc, to_projects),
        migrations.AlterModelTable(
            name='allocation',
            table=None,
        ),
        migrations.AlterModelTable(
            name='allocationrequest',
            table=None,
        ),
        migrations.AlterModelTable(
            name='call',
            table=None,
        ),
        migrations.AlterModelTable(
            name='changerequest',
            table=None,
        ),
        migrations.AlterModelTable(
            name='decision',
            table=None,
        ),
        migrations.AlterModelTable(
            name='review',
            table=None,
        ),
        migrations.AlterModelTable(
            name='reviewassignment',
            table=None,
        ),
        migrations.AlterModelTable(
            name='round',
            table=None,
        ),
        migrations.AlterModelTable(
            name='roundbudget',
            table=None,
        ),
        migrations.AlterModelTable(
            name='sentnotification',
            table=None,
        ),
    ]
