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
    """The models' content types follow them: their permissions (and who holds them) and admin log entries point
    at them. On a new installation there are none yet (post_migrate creates them under hpc). If both exist (a
    ``migrate`` stopped between hpc 0001 and 0002 let post_migrate create the target's), the source's permissions'
    holders and the log entries move to the target's, and the source's type goes."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry") if "admin" in apps.app_configs else None
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            for group in permission.group_set.all():
                group.permissions.add(twin)
            for user in permission.user_set.all():
                user.user_permissions.add(twin)
            permission.delete()
        if LogEntry is not None:
            LogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()


def to_hpc(apps, schema_editor):
    _move_content_types(apps, schema_editor, "projects", "hpc")


def to_projects(apps, schema_editor):
    _move_content_types(apps, schema_editor, "hpc", "projects")


class Migration(migrations.Migration):

    dependencies = [
        ('hpc', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('admin', '0003_logentry_add_action_flag_choices'),
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
