"""The backup price to eight decimals: 0.36666667 € HT per GB-year instead of 0.366667 €, as a new price.

At six decimals the 50 GB of backups of a reference VM cost 18.33335 € instead of 18.333333…, so that 100 gold VMs
cost a cent more than 100 × one (issue 13: n VMs must cost n × one VM, TTC, for every n up to 1 000). A price in
force is never edited: the open 0.366667 price of each backup component (the silver and gold VMs' ``backup``, the
backup offering's ``backup``) gets an end date and the finer one starts the next day, on 2027-01-01 — or, on an
installation upgraded later, on the first day of the quarter after the upgrade, since the days gone by keep the
price they had. A component whose open price is anything else (an operator's own tariff) is left alone; run again,
this finds nothing left to do. Each change is written to the audit log, as the models' saves would.
"""

import datetime
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

OLD = Decimal("0.366667")
FINER = Decimal("0.36666667")
STATED = datetime.date(2027, 1, 1)
ACTOR = "migration catalogue.0007_finer_backup_price"


def first_day(today: datetime.date) -> datetime.date:
    """2027-01-01, or the first day of the quarter after ``today`` when that day has come."""
    if today < STATED:
        return STATED
    month = (today.month - 1) // 3 * 3 + 4
    return datetime.date(today.year + (month > 12), (month - 1) % 12 + 1, 1)


def snapshot(price) -> dict:
    # As audit.registry.snapshot writes a price (model_to_dict: its editable fields, the amount at the column's scale).
    return {
        "component": price.component_id,
        "amount": str(price.amount.quantize(Decimal("0.00000001"))),
        "valid_from": price.valid_from.isoformat(),
        "valid_until": price.valid_until.isoformat() if price.valid_until else None,
    }


def describe(price) -> str:
    component = price.component
    until = price.valid_until.isoformat() if price.valid_until else "…"
    name = f"{component.plan.offering.name} — {component.plan.name} — {component.name}"
    return f"{name}: {price.amount} € HT ({price.valid_from.isoformat()} → {until})"[:200]


def finer_prices(apps, schema_editor):
    Price = apps.get_model("catalogue", "Price")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    start = first_day(timezone.localdate())
    open_prices = Price.objects.select_related("component__plan__offering").filter(
        component__code="backup",
        component__plan__offering__kind__in=["cloud-vm", "backup"],
        valid_until__isnull=True,
        amount=OLD,
        valid_from__lt=start,
    )

    def audit(price, action, before):
        AuditEntry.objects.create(
            actor=ACTOR,
            action=action,
            object_type="catalogue.price",
            object_id=str(price.pk),
            object_repr=describe(price),
            before=before,
            after=snapshot(price),
        )

    for current in open_prices.order_by("pk"):
        before = snapshot(current)
        current.valid_until = start - datetime.timedelta(days=1)
        current.save(update_fields=["valid_until", "last_updated"])
        audit(current, "update", before)
        finer = Price.objects.create(component=current.component, amount=FINER, valid_from=start)
        audit(finer, "create", None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_price_amount_eight_decimals"),
        ("audit", "0002_initial"),
    ]

    operations = [migrations.RunPython(finer_prices, migrations.RunPython.noop)]
