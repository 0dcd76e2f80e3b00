"""Migration 0004 gives the hosts of an existing installation their share of their site's useful storage."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("resources", "0002_orders_quotas_racks"), ("capacity", "0003_seed_places")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_existing_hosts_get_their_share_of_the_sites_storage():
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Site, Host = old.get_model("capacity", "Site"), old.get_model("capacity", "Host")
    main = Site.objects.create(code="m1", name="Main", storage_gb=100_000)
    backup = Site.objects.create(code="m2", name="Backup", storage_gb=100_000)
    for index in range(6):
        Host.objects.create(site=main, name=f"m1-hv{index}", vcpu=111, ram_gb=333)
    for index in range(3):
        Host.objects.create(site=backup, name=f"m2-hv{index}", vcpu=111, ram_gb=333)
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())
    from mesocentre.capacity.models import Host as Current

    assert (
        list(Current.objects.filter(site__code="m1").order_by("name").values_list("disk_gb", flat=True))
        == [16_667] * 4 + [16_666] * 2
    )
    assert list(Current.objects.filter(site__code="m2").order_by("name").values_list("disk_gb", flat=True)) == [
        33_334,
        33_333,
        33_333,
    ]
    host = Current.objects.get(name="m1-hv0")
    assert host.usable == {"vcpu": 111, "ram_gb": 333, "disk_gb": 16_667}  # ratio 1.0, nothing reserved
