import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0003_placements"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="anti_affinity_group",
            field=models.CharField(
                blank=True,
                max_length=50,
                validators=[django.core.validators.validate_slug],
                verbose_name="anti-affinity group",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="group",
            field=models.CharField(
                blank=True,
                max_length=50,
                validators=[django.core.validators.validate_slug],
                verbose_name="anti-affinity group",
            ),
        ),
    ]
