"""The datacenter's physical hosting as the offer describes it: 56 racks of 42U in 4 PODs (two of 12 racks, two of
16), confined hot aisles 1.2 m wide, a power budget of 7 kW per rack (the average today). The real inventory, in
every installation; operators change a rack's budget as it grows."""

from decimal import Decimal

from django.db import migrations

PODS = [("pod1", "POD 1", 12), ("pod2", "POD 2", 12), ("pod3", "POD 3", 16), ("pod4", "POD 4", 16)]


def seed(apps, schema_editor):
    Pod = apps.get_model("capacity", "Pod")
    Rack = apps.get_model("capacity", "Rack")
    for code, name, racks in PODS:
        pod, _ = Pod.objects.get_or_create(code=code, defaults={"name": name, "hot_aisle_width_m": Decimal("1.20")})
        for number in range(1, racks + 1):
            Rack.objects.get_or_create(
                pod=pod, number=number, defaults={"height_u": 42, "power_budget_kw": Decimal("7.00")}
            )


class Migration(migrations.Migration):
    dependencies = [("capacity", "0002_pods_racks")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
