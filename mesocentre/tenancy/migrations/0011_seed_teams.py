"""The datacenter's four operations teams, as the offer names them, in every installation."""

from django.db import migrations

TEAMS = [
    # code (= kind), name, description
    ("hosting", "Hosting team", "Physical hosting: the PODs, the racks, their power and cooling."),
    ("cloud", "Cloud team", "Virtual machines, their storage, backups, disaster recovery and PaaS databases."),
    ("compute", "Compute team", "The HPC cluster and the GPU nodes."),
    ("cross-cutting", "Cross-cutting team", "What every offer shares: networks, firewalling, security."),
]


def seed(apps, schema_editor):
    Team = apps.get_model("tenancy", "Team")
    for code, name, description in TEAMS:
        Team.objects.get_or_create(code=code, defaults={"name": name, "kind": code, "description": description})


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0010_teams")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
