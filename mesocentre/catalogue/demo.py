"""The offer's catalogue and prices. VM prices are built so that 2 vCPU / 4 GB / 50 GB costs, per year TTC,
exactly 231 € (bronze), 253 € (silver) and 484 € (gold); see the README for the rule."""

import datetime
from decimal import Decimal as D

from django.db.models import Q

from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList

START = datetime.date(2018, 1, 1)  # the demo holds the year 2018 as the offer tells it

# Per year HT, full cost. A bronze VM: 50.00 per vCPU, 15.00 per GB RAM, 0.65 per GB disk (2/4/50 → 192.50 HT).
VCPU, RAM, DISK = D("50.00"), D("15.00"), D("0.65")
# Backups: a third of 1.10 per GB of disk (50 GB → 18.33 HT; silver → 210.83 HT → 253.00 TTC). Until 2026 at six
# decimals, 0.366667, which made 100 gold VMs a cent dearer than 100 × one; at eight decimals from 2027 on (the
# catalogue's migration 0007 does the same on an installation that had the six-decimal price): n reference VMs then
# cost n × one, TTC, for every n below 10 000.
FINER_FROM = datetime.date(2027, 1, 1)
BACKUP_GB = [(START, D("0.366667")), (FINER_FROM, D("0.36666667"))]

VM_RESOURCES = [
    ("vcpu", "vCPU", "vCPU·year", "vcpu", VCPU),
    ("ram", "RAM", "GB·year", "ram_gb", RAM),
    ("disk", "Disk", "GB·year", "disk_gb", DISK),
]
BACKUP = [("backup", "Backups of the disk", "GB·year", "disk_gb", BACKUP_GB)]
# Gold: the VM survives the loss of its site, so a standby of its compute and disk is reserved on site 2.
STANDBY = [(f"standby-{c}", f"Standby on the recovery site: {n}", u, s, p) for c, n, u, s, p in VM_RESOURCES]

# offering code, name, kind, status, backend, description, [(plan code, plan name, [components])]
# component: (code, name, unit, billing type, sized by, price HT, [(valid from, price), …] optional)
CATALOGUE = [
    (
        "cloud-vm",
        "Cloud virtual machines",
        "cloud-vm",
        "available",
        "manual",
        "VMs created on demand by group (tenant), on two sites, invoiced quarterly per use.",
        [
            ("bronze", "Bronze", "The VM.", VM_RESOURCES),
            ("silver", "Silver", "The VM and its backups.", VM_RESOURCES + BACKUP),
            (
                "gold",
                "Gold",
                "The VM, its backups and continuity on the second site.",
                VM_RESOURCES + BACKUP + STANDBY,
            ),
        ],
    ),
    (
        "hpc",
        "HPC hours on the regional supercomputer",
        "hpc",
        "available",
        "slurm",
        "13 464 Skylake cores, 48 V100 GPUs; hours granted by the expert committee.",
        [
            (
                "standard",
                "Standard",
                "",
                [
                    ("core-hours", "CPU core-hours", "core-hour", "core_hours", D("0.0100")),
                    ("gpu-hours", "GPU hours", "GPU-hour", "gpu_hours", D("0.5000")),
                ],
            )
        ],
    ),
    (
        "gpu-booking",
        "GPU nodes booked on the fly",
        "gpu-booking",
        "available",
        "manual",
        "About 1 000 cores and 40 GPUs for deep learning; containers and VMs allowed.",
        [
            (
                "standard",
                "Standard",
                "",
                [("node-hours", "GPU node-hours", "node-hour", "node_hours", D("2.00"))],
            )
        ],
    ),
    (
        "storage",
        "Storage for VMs",
        "storage",
        "available",
        "manual",
        "Block storage attached to VMs.",
        [("standard", "Standard", "", [("storage", "Storage", "GB·year", "storage_gb", D("0.20"))])],
    ),
    (
        "backup",
        "Backups",
        "backup",
        "available",
        "manual",
        "Backups of data outside VMs.",
        [("standard", "Standard", "", [("backup", "Backup space", "GB·year", "storage_gb", BACKUP_GB)])],
    ),
    (
        "rack",
        "Rack hosting (dry hosting)",
        "rack",
        "available",
        "manual",
        "42U racks in confined hot aisles, 7 kW average; 7 000 € a year plus measured electricity × PUE.",
        [
            (
                "standard",
                "42U rack",
                "",
                [
                    ("fixed", "Rack, 42U", "rack·year", "count", D("7000.00")),
                    (
                        "electricity",
                        "Electricity",
                        "kWh",
                        "facility_kwh",
                        [(START, D("0.150000")), (datetime.date(2023, 1, 1), D("0.200000"))],
                    ),
                ],
            )
        ],
    ),
    (
        "firewall",
        "Firewalling",
        "firewall",
        "available",
        "manual",
        "Filtering rules on the regional network.",
        [("standard", "Standard", "", [("ruleset", "Rule set", "rule set·year", "count", D("300.00"))])],
    ),
    (
        "database",
        "PaaS databases",
        "database",
        "planned",
        "manual",
        "Managed PostgreSQL (planned).",
        [
            (
                "standard",
                "Standard",
                "",
                [("instance", "Database instance", "instance·year", "count", D("400.00"))],
            )
        ],
    ),
]


# The French wording of the catalogue, stored in the *_fr fields (the portal shows it on French pages).
FRENCH = {
    "Academic (full cost)": "Académique (coût complet)",
    "Company (full cost + margin)": "Entreprise (coût complet + marge)",
    "Cloud virtual machines": "Machines virtuelles cloud",
    "VMs created on demand by group (tenant), on two sites, invoiced quarterly per use.": "Des VM créées à la demande par groupe (tenant), sur deux sites, facturées à l'usage chaque trimestre.",
    "The VM.": "La VM.",
    "The VM and its backups.": "La VM et ses sauvegardes.",
    "The VM, its backups and continuity on the second site.": "La VM, ses sauvegardes et la continuité sur le second site.",
    "HPC hours on the regional supercomputer": "Heures de calcul sur le supercalculateur régional",
    "13 464 Skylake cores, 48 V100 GPUs; hours granted by the expert committee.": "13 464 cœurs Skylake, 48 GPU V100 ; heures attribuées par le comité d'experts.",
    "GPU nodes booked on the fly": "Nœuds GPU réservés à la volée",
    "About 1 000 cores and 40 GPUs for deep learning; containers and VMs allowed.": "Environ 1 000 cœurs et 40 GPU pour l'apprentissage profond ; conteneurs et VM acceptés.",
    "Storage for VMs": "Stockage pour les VM",
    "Block storage attached to VMs.": "Stockage bloc attaché aux VM.",
    "Backups": "Sauvegardes",
    "Backups of data outside VMs.": "Sauvegarde de données hors VM.",
    "Rack hosting (dry hosting)": "Hébergement de baies (hébergement sec)",
    "42U racks in confined hot aisles, 7 kW average; 7 000 € a year plus measured electricity × PUE.": "Baies 42U en allées chaudes confinées, 7 kW en moyenne ; 7 000 € par an plus l'électricité mesurée × PUE.",
    "42U rack": "Baie 42U",
    "Rack, 42U": "Baie 42U",
    "Firewalling": "Pare-feu",
    "Filtering rules on the regional network.": "Règles de filtrage sur le réseau régional.",
    "PaaS databases": "Bases de données PaaS",
    "Managed PostgreSQL (planned).": "PostgreSQL géré (prévu).",
    "Standard": "Standard",
    "Disk": "Disque",
    "Backups of the disk": "Sauvegardes du disque",
    "Standby on the recovery site: vCPU": "Secours sur le site de reprise : vCPU",
    "Standby on the recovery site: RAM": "Secours sur le site de reprise : RAM",
    "Standby on the recovery site: Disk": "Secours sur le site de reprise : disque",
    "CPU core-hours": "Heures cœur CPU",
    "GPU hours": "Heures GPU",
    "GPU node-hours": "Heures-nœud GPU",
    "Storage": "Stockage",
    "Backup space": "Espace de sauvegarde",
    "Electricity": "Électricité",
    "Rule set": "Jeu de règles",
    "Database instance": "Instance de base de données",
    "vCPU·year": "vCPU·an",
    "GB·year": "Go·an",
    "core-hour": "heure cœur",
    "GPU-hour": "heure GPU",
    "node-hour": "heure-nœud",
    "rack·year": "baie·an",
    "rule set·year": "jeu de règles·an",
    "instance·year": "instance·an",
}


def fr(text: str) -> str:
    return FRENCH.get(text, "")


def billing_type(sized_by: str) -> str:
    if sized_by in ("core_hours", "gpu_hours", "node_hours", "facility_kwh"):
        return Component.BillingType.USAGE
    return Component.BillingType.FIXED if sized_by == "count" else Component.BillingType.LIMIT


def load(day, out=None) -> None:
    for code, name, margin in (
        ("academic", "Academic (full cost)", 0),
        ("company", "Company (full cost + margin)", 15),
    ):
        PriceList.objects.get_or_create(
            code=code, defaults={"name": name, "name_fr": fr(name), "margin_percent": D(margin)}
        )
    for order, (code, name, kind, status, backend, description, plans) in enumerate(CATALOGUE):
        offering, _ = Offering.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_fr": fr(name),
                "description_fr": fr(description),
                "kind": kind,
                "status": status,
                "backend": backend,
                "description": description,
                "order": order * 10,
            },
        )
        for plan_order, (plan_code, plan_name, plan_description, components) in enumerate(plans):
            plan, _ = Plan.objects.get_or_create(
                offering=offering,
                code=plan_code,
                defaults={
                    "name": plan_name,
                    "name_fr": fr(plan_name),
                    "description": plan_description,
                    "description_fr": fr(plan_description),
                    "order": plan_order,
                },
            )
            for comp_code, comp_name, unit, sized_by, prices in components:
                component, _ = Component.objects.get_or_create(
                    plan=plan,
                    code=comp_code,
                    defaults={
                        "name": comp_name,
                        "name_fr": fr(comp_name),
                        "unit": unit,
                        "unit_fr": fr(unit),
                        "sized_by": sized_by,
                        "billing_type": billing_type(sized_by),
                    },
                )
                load_prices(component, prices)
    if out:
        out.write(f"catalogue: {len(CATALOGUE)} offerings, {Price.objects.count()} prices")


def load_prices(component: Component, prices) -> None:
    """The component's schedule of prices, each created unless it is there already. A price whose days another
    price of the component covers is not created either: an installation that had the demo before a price was
    added to its schedule got it from a migration, maybe from another day, or an operator scheduled their own."""
    schedule = prices if isinstance(prices, list) else [(START, prices)]
    for index, (valid_from, amount) in enumerate(schedule):
        following = schedule[index + 1][0] if index + 1 < len(schedule) else None
        valid_until = following - datetime.timedelta(days=1) if following else None
        if Price.objects.filter(component=component, valid_from=valid_from).exists():
            continue
        overlapping = Price.objects.filter(component=component).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
        )
        if valid_until:
            overlapping = overlapping.filter(valid_from__lte=valid_until)
        if not overlapping.exists():
            Price.objects.create(component=component, valid_from=valid_from, amount=amount, valid_until=valid_until)
