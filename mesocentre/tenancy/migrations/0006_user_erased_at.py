from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0005_user_oidc_subject"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="erased_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When this person was erased (GDPR): the account stays, pseudonymised, for what it did.",
                null=True,
                verbose_name="erased at",
            ),
        ),
    ]
