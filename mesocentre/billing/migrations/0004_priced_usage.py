import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0003_budgets'),
        ('metering', '0002_usage_natural_key'),
    ]

    operations = [
        # The invoices issued before the links existed (False), then every new one (True; the default is Python's).
        migrations.AddField(
            model_name='invoice',
            name='links_usage',
            field=models.BooleanField(default=False, editable=False, verbose_name='links the usage it priced'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='invoice',
            name='links_usage',
            field=models.BooleanField(default=True, editable=False, verbose_name='links the usage it priced'),
        ),
        migrations.AddField(
            model_name='invoiceannexline',
            name='period_start',
            field=models.DateField(blank=True, null=True, verbose_name='first day'),
        ),
        migrations.AddField(
            model_name='invoiceannexline',
            name='period_end',
            field=models.DateField(blank=True, null=True, verbose_name='last day'),
        ),
        migrations.CreateModel(
            name='PricedUsage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='priced_usage', to='billing.invoice', verbose_name='invoice')),
                ('record', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='priced', to='metering.usagerecord', verbose_name='usage record')),
                ('energy', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='priced', to='metering.measuredenergy', verbose_name='measured energy')),
                ('line', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.invoiceline', verbose_name='line')),
                ('gpu_line', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.invoiceline', verbose_name='GPU line')),
                ('annex_line', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.invoiceannexline', verbose_name='annex line')),
            ],
            options={
                'verbose_name': 'priced usage',
                'verbose_name_plural': 'priced usage',
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('energy__isnull', True), ('record__isnull', False)), models.Q(('annex_line__isnull', True), ('energy__isnull', False), ('gpu_line__isnull', True), ('record__isnull', True)), _connector='OR'), name='billing_pricedusage_record_or_energy')],
            },
        ),
    ]
