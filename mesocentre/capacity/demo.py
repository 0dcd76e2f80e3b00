"""The two cloud sites of the offer: 6 + 3 servers of 111 vCPU and 333 GB RAM."""

from importlib import import_module

from django.apps import apps

from mesocentre.capacity.models import Host, Pod, Site, shares

SITES = [
    # code, name, recovery site, servers, useful storage GB, backups GB
    ("site1", "Site 1 (main)", False, 6, 100_000, 50_000),
    ("site2", "Site 2 (disaster recovery)", True, 3, 100_000, 50_000),
]
VCPU_PER_SERVER = 111
RAM_GB_PER_SERVER = 333


def load(day, out=None) -> None:
    for code, name, recovery, servers, storage, backup in SITES:
        site, _ = Site.objects.get_or_create(
            code=code,
            defaults={"name": name, "is_recovery_site": recovery, "storage_gb": storage, "backup_gb": backup},
        )
        # Each host's disk is its share of the site's useful storage (100 000 GB over 6: 16 667 × 4 + 16 666 × 2).
        for index, disk in enumerate(shares(storage, servers), start=1):
            Host.objects.get_or_create(
                name=f"{code}-hv{index:02d}",
                defaults={"site": site, "vcpu": VCPU_PER_SERVER, "ram_gb": RAM_GB_PER_SERVER, "disk_gb": disk},
            )
    # The PODs and racks are seeded by migration 0003 (the real inventory); a database emptied since (a test's flush)
    # gets them back here, as the tenancy demo's teams, for the resources demo's racks. The demo puts them on site 1.
    if not Pod.objects.exists():
        import_module("mesocentre.capacity.migrations.0003_seed_places").seed(apps, None)
    Pod.objects.filter(site=None).update(site=Site.objects.get(code="site1"))
    if out:
        out.write(f"capacity: {len(SITES)} sites, {sum(s[3] for s in SITES)} hosts, {Pod.objects.count()} PODs")
