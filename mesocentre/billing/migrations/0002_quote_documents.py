from django.db import migrations, models

# The numbered quotes never change either: the invoices' trigger function (0001) guards their table on PostgreSQL.
TRIGGER = """
CREATE TRIGGER billing_quotedocument_issued BEFORE UPDATE OR DELETE ON billing_quotedocument
    FOR EACH ROW EXECUTE FUNCTION billing_issued_never_changes();
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS billing_quotedocument_issued ON billing_quotedocument;\n"


def on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0001_invoices'),
    ]

    operations = [
        migrations.CreateModel(
            name='QuoteDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=20, unique=True, verbose_name='number')),
                ('issued_at', models.DateTimeField(verbose_name='issued at')),
                ('requested_by', models.CharField(blank=True, help_text='The username of who asked for it; empty from the command line.', max_length=150, verbose_name='requested by')),
                ('period', models.CharField(max_length=10, verbose_name='period')),
                ('price_list', models.CharField(max_length=30, verbose_name='price list')),
                ('prices_of', models.DateField(verbose_name='prices of')),
                ('basket', models.JSONField(verbose_name='basket')),
                ('lines', models.JSONField(verbose_name='lines')),
                ('vat', models.JSONField(verbose_name='VAT')),
                ('total_ht', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='total HT')),
                ('total_vat', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='total VAT')),
                ('total_ttc', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='total TTC')),
                ('seller_name', models.CharField(max_length=200, verbose_name="seller's name")),
                ('seller_siret', models.CharField(blank=True, max_length=14, verbose_name="seller's SIRET")),
                ('seller_vat_number', models.CharField(blank=True, max_length=13, verbose_name="seller's VAT number")),
                ('seller_address', models.TextField(blank=True, verbose_name="seller's address")),
            ],
            options={
                'verbose_name': 'numbered quote',
                'ordering': ['issued_at', 'pk'],
            },
        ),
        migrations.RunPython(on_postgresql(TRIGGER), on_postgresql(DROP_TRIGGER)),
    ]
