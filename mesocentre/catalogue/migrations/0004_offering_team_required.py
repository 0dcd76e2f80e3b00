"""Every offering has a team (0003 assigned them all): the column says so."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_offering_team")]

    operations = [
        migrations.AlterField(
            model_name="offering",
            name="team",
            field=models.ForeignKey(
                blank=True,
                help_text="The operations team that approves its orders and does its manual tasks.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offerings",
                to="tenancy.team",
                verbose_name="team",
            ),
        ),
    ]
