from django.db import migrations

# Release 2026.12 gives /projects/members/ to the operators' list of the projects' members: a project coded
# "members" would lose its page to it (new codes are refused, naming.PAGE_WORDS). Such a project must be renamed
# before upgrading; this migration says so rather than leaving its page unreachable.
NEW_PAGE_WORDS = ["members"]


def refuse_shadowed_projects(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    shadowed = sorted(Project.objects.filter(code__in=NEW_PAGE_WORDS).values_list("code", flat=True))
    if shadowed:
        raise RuntimeError(
            f"The project(s) {', '.join(shadowed)} would lose their page to the portal's new page of that name: "
            "change their code (in the admin, or Project.objects.filter(code=...).update(code=...)) and migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_hpc_models_leave")]

    operations = [migrations.RunPython(refuse_shadowed_projects, migrations.RunPython.noop)]
