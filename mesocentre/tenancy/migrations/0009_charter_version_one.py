"""An installation from before the charter's versions: whoever accepted "the charter" accepted its version 1.

Version 1 comes into force at the earliest acceptance, with a placeholder wording operators replace by publishing
version 2; each user with ``charter_accepted_at`` gets their acceptance of version 1, at that date. Nothing is
done when a version exists already or when nobody accepted (a fresh installation: operators publish version 1).
"""

from django.db import migrations

ADOPTED_TEXT = "The usage charter users accepted before the charter's versions were recorded."


def adopt(apps, schema_editor):
    User = apps.get_model("tenancy", "User")
    CharterVersion = apps.get_model("tenancy", "CharterVersion")
    CharterAcceptance = apps.get_model("tenancy", "CharterAcceptance")
    if CharterVersion.objects.exists():
        return
    accepted = User.objects.filter(charter_accepted_at__isnull=False).order_by("charter_accepted_at")
    first = accepted.first()
    if first is None:
        return
    # Historical models skip save(): the timestamps are given, and no announcement is due (nothing changes).
    version = CharterVersion.objects.create(number=1, text=ADOPTED_TEXT, in_force_from=first.charter_accepted_at)
    CharterAcceptance.objects.bulk_create(
        CharterAcceptance(user=user, version=version, accepted_at=user.charter_accepted_at) for user in accepted
    )


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0008_charter_versions")]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
