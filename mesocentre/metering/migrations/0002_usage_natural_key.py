"""A job's natural key becomes its cluster, job id and submit time (Slurm reuses job ids); each record gets the day
it counts on and a flag for those kept aside; hosted racks get their measured kWh.

The records already collected did not keep their submit time: they take their start (their end when they never
started) as ``submitted_at``, with ``submit_known`` false, and an import matches a job to them by its cluster, id and
end instead, so that collecting or importing them again adds nothing. Their day is their end's, in the platform's
time zone (the one collect-slurm read them in). Going back restores the old key, which fails if a job id was
recorded twice since."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


def fill_keys(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE metering_usagerecord SET submitted_at = COALESCE(started_at, ended_at), submit_known = false,"
                " day = (ended_at AT TIME ZONE %s)::date",
                [settings.TIME_ZONE],
            )
        return
    UsageRecord = apps.get_model("metering", "UsageRecord")
    batch = []
    for record in UsageRecord.objects.only("started_at", "ended_at").iterator(chunk_size=2000):
        record.submitted_at = record.started_at or record.ended_at
        record.submit_known = False
        record.day = timezone.localtime(record.ended_at).date()
        batch.append(record)
        if len(batch) == 2000:
            UsageRecord.objects.bulk_update(batch, ["submitted_at", "submit_known", "day"])
            batch = []
    UsageRecord.objects.bulk_update(batch, ["submitted_at", "submit_known", "day"])


class Migration(migrations.Migration):
    dependencies = [
        ("capacity", "0003_seed_places"),
        ("metering", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="usagerecord",
            name="submitted_at",
            field=models.DateTimeField(null=True, verbose_name="submitted at"),
        ),
        migrations.AddField(
            model_name="usagerecord",
            name="submit_known",
            field=models.BooleanField(default=True, verbose_name="submit time known"),
        ),
        migrations.AddField(
            model_name="usagerecord",
            name="day",
            field=models.DateField(null=True, verbose_name="day"),
        ),
        migrations.AddField(
            model_name="usagerecord",
            name="aside",
            field=models.BooleanField(default=False, verbose_name="kept aside"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="usagerecord",
            name="submitted_at",
            field=models.DateTimeField(verbose_name="submitted at"),
        ),
        migrations.AlterField(
            model_name="usagerecord",
            name="day",
            field=models.DateField(db_index=True, verbose_name="day"),
        ),
        migrations.RemoveConstraint(model_name="usagerecord", name="metering_usagerecord_once_per_source"),
        migrations.AddConstraint(
            model_name="usagerecord",
            constraint=models.UniqueConstraint(
                fields=("source", "external_id", "submitted_at"), name="metering_usagerecord_once_per_job"
            ),
        ),
        migrations.AddIndex(
            model_name="usagerecord",
            index=models.Index(
                condition=Q(submit_known=False), fields=["source", "external_id"], name="metering_usage_legacy"
            ),
        ),
        migrations.AddIndex(
            model_name="usagerecord",
            index=models.Index(condition=Q(aside=True), fields=["source", "account"], name="metering_usage_aside"),
        ),
        migrations.CreateModel(
            name="MeasuredEnergy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period_start", models.DateField(verbose_name="period start")),
                ("period_end", models.DateField(verbose_name="period end")),
                ("kwh", models.DecimalField(decimal_places=3, max_digits=12, verbose_name="kWh")),
                ("imported_at", models.DateTimeField(auto_now_add=True, verbose_name="imported at")),
                (
                    "rack",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measured_energy",
                        to="capacity.rack",
                        verbose_name="rack",
                    ),
                ),
            ],
            options={
                "verbose_name": "measured energy",
                "verbose_name_plural": "measured energy",
                "ordering": ["rack", "period_start"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("rack", "period_start", "period_end"), name="metering_measuredenergy_once_per_period"
                    ),
                    models.CheckConstraint(
                        condition=Q(period_end__gte=models.F("period_start")), name="metering_energy_period"
                    ),
                    models.CheckConstraint(condition=Q(kwh__gte=0), name="metering_energy_kwh_not_negative"),
                ],
            },
        ),
    ]
