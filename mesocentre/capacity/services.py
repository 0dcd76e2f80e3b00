"""Capacity questions other apps ask."""

from dataclasses import dataclass

from django.db.models import Max

from mesocentre.capacity.models import Host, Site


@dataclass(frozen=True)
class Largest:
    """The largest VM a single host can hold, and the largest disk a site can hold."""

    vcpu: int
    ram_gb: int
    disk_gb: int


def largest_vm(recovery_copy: bool = False) -> Largest:
    """The biggest VM placeable. With ``recovery_copy`` (gold), it must fit on a recovery site too."""
    hosts = Host.objects.all()
    sites = Site.objects.all()
    figures = [(hosts.filter(site__is_recovery_site=False), sites.filter(is_recovery_site=False))]
    if recovery_copy:
        figures.append((hosts.filter(site__is_recovery_site=True), sites.filter(is_recovery_site=True)))
    limits = []
    for site_hosts, site_set in figures:
        agg = site_hosts.aggregate(vcpu=Max("vcpu"), ram_gb=Max("ram_gb"))
        disk = site_set.aggregate(disk=Max("storage_gb"))["disk"]
        limits.append(Largest(agg["vcpu"] or 0, agg["ram_gb"] or 0, disk or 0))
    return Largest(
        min(limit.vcpu for limit in limits),
        min(limit.ram_gb for limit in limits),
        min(limit.disk_gb for limit in limits),
    )
