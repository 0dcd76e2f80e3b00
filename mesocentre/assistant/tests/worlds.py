"""Small states as plain dicts, for the assistant's tests."""

import random


def host(name, site, vcpu=16, ram_gb=64, disk_gb=1000, reserved=(0, 0, 0), ratios=(1.0, 1.0, 1.0), maintenance=False):
    return {
        "name": name,
        "site": site,
        "vcpu": vcpu,
        "ram_gb": ram_gb,
        "disk_gb": disk_gb,
        "reserved": dict(zip(("vcpu", "ram_gb", "disk_gb"), reserved, strict=True)),
        "ratios": dict(zip(("vcpu", "ram_gb", "disk_gb"), ratios, strict=True)),
        "maintenance": maintenance,
    }


def vm(name, vcpu=2, ram_gb=8, disk_gb=50, tier="bronze", group=None, site=None, **placed):
    return {
        "name": name,
        "vcpu": vcpu,
        "ram_gb": ram_gb,
        "disk_gb": disk_gb,
        "tier": tier,
        "group": group,
        "site": site,
        **placed,
    }


def random_world(rng: random.Random):
    """2 sites, 2–4 hosts, a few VMs placed (capacity not checked: states may be full), one request."""
    hosts = []
    for i in range(rng.randint(2, 4)):
        hosts.append(
            host(
                f"h{i}",
                "1" if i % 2 == 0 else "2",
                vcpu=rng.choice([8, 16]),
                ram_gb=rng.choice([32, 64]),
                disk_gb=rng.choice([200, 500]),
                reserved=(rng.choice([0, 2]), rng.choice([0, 4]), 0),
                ratios=(rng.choice([1.0, 2.0]), rng.choice([1.0, 1.5]), 1.0),
                maintenance=rng.random() < 0.25,
            )
        )
    names = [h["name"] for h in hosts]
    sites = {h["name"]: h["site"] for h in hosts}
    vms = []
    for i in range(rng.randint(0, 4)):
        tier = rng.choice(["bronze", "silver", "gold"])
        primary = rng.choice(names)
        placed = {"host": primary}
        if tier == "gold":
            others = [n for n in names if sites[n] != sites[primary]]
            placed["standby_host"] = rng.choice(others)
        vms.append(
            vm(
                f"v{i}",
                vcpu=rng.choice([1, 2, 4, 8]),
                ram_gb=rng.choice([4, 8, 16, 32]),
                disk_gb=rng.choice([10, 100]),
                tier=tier,
                group=rng.choice([None, "g"]),
                **placed,
            )
        )
    request = vm(
        "new",
        vcpu=rng.choice([1, 4, 8, 16]),
        ram_gb=rng.choice([8, 16, 32, 48]),
        disk_gb=rng.choice([10, 100, 300]),
        tier=rng.choice(["bronze", "silver", "gold", "gold"]),
        group=rng.choice([None, "g"]),
        site=rng.choice([None, "1", "2"]),
    )
    return {"hosts": hosts, "vms": vms}, request
