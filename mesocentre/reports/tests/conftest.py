"""Two establishments (A: alpha, B: beta), each with a laboratory, a theme and a project with jobs in 2025, a third
project paid by B until 30 June 2025 and by A from 1 July; an issued invoice per establishment for 2025Q3."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from mesocentre.billing.models import Invoice, InvoiceLine
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import PayerPeriod, Project
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, User

HOUR = 3600


def job(project: Project, ended: datetime.date, core_hours: int, number: int, gpu_hours: int = 0) -> UsageRecord:
    end = timezone.make_aware(datetime.datetime.combine(ended, datetime.time(12)))
    return UsageRecord.objects.create(
        source="slurm:testcluster",
        external_id=str(number),
        account=account_name(project.code),
        ended_at=end,
        started_at=end - datetime.timedelta(hours=1),
        cpu_seconds=core_hours * HOUR,
        gpu_seconds=gpu_hours * HOUR,
    )


def invoice(establishment: Establishment, number: str, quarter: str, lines: list[tuple[str, str, str]]) -> Invoice:
    """Issued past the issuing service (bulk, no catalogue needed): (project, offering, amount HT) lines."""
    issued = Invoice.objects.bulk_create(
        [
            Invoice(
                kind="invoice",
                number=number,
                establishment=establishment,
                quarter=quarter,
                issued_at=timezone.now(),
                price_list="academic",
                total_ht=sum(Decimal(amount) for _p, _o, amount in lines),
                total_vat=Decimal(0),
                total_ttc=sum(Decimal(amount) for _p, _o, amount in lines),
                buyer_name=establishment.name,
                seller_name="Seller",
            )
        ]
    )[0]
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=issued,
            position=position,
            project=project,
            offering=offering,
            description="line",
            quantity=1,
            unit="unit",
            unit_price_ht=Decimal(amount),
            amount_ht=Decimal(amount),
            vat_rate=Decimal("20.00"),
            period_start=datetime.date(2025, 7, 1),
            period_end=datetime.date(2025, 9, 30),
        )
        for position, (project, offering, amount) in enumerate(lines, start=1)
    )
    return issued


@pytest.fixture
def two(db):
    w = SimpleNamespace()
    for name in ("alpha", "beta"):
        t = SimpleNamespace()
        t.theme = ScientificTheme.objects.create(code=f"theme-{name}", name=f"Theme {name}")
        t.establishment = Establishment.objects.create(
            code=f"est-{name}", name=f"Establishment {name}", kind="university"
        )
        t.laboratory = Laboratory.objects.create(code=f"lab-{name}", name=f"Laboratory {name}", theme=t.theme)
        t.laboratory.establishments.set([t.establishment])
        t.project = Project.objects.create(
            code=f"proj-{name}",
            title=name,
            laboratory=t.laboratory,
            paying_establishment=t.establishment,
            theme=t.theme,
            starts_on=datetime.date(2025, 1, 1),
        )
        t.manager = User.objects.create(username=f"manager-{name}", password="!")
        Membership.objects.create(
            user=t.manager, establishment=t.establishment, laboratory=t.laboratory, role="manager"
        )
        t.member = User.objects.create(username=f"member-{name}", password="!")
        Membership.objects.create(user=t.member, establishment=t.establishment, laboratory=t.laboratory, role="member")
        setattr(w, name, t)
    w.operator = User.objects.create(username="op", password="!", is_operator=True)
    # Moved from beta to alpha on 1 July 2025: its first half is beta's, its second alpha's.
    w.moved = Project.objects.create(
        code="proj-moved",
        title="moved",
        laboratory=w.beta.laboratory,
        paying_establishment=w.beta.establishment,
        theme=w.beta.theme,
        starts_on=datetime.date(2025, 1, 1),
    )
    PayerPeriod.objects.filter(project=w.moved).update(valid_until=datetime.date(2025, 6, 30))
    PayerPeriod.objects.create(
        project=w.moved, establishment=w.alpha.establishment, valid_from=datetime.date(2025, 7, 1)
    )
    job(w.alpha.project, datetime.date(2025, 2, 10), 1000, 1, gpu_hours=10)
    job(w.alpha.project, datetime.date(2025, 8, 10), 3000, 2)
    job(w.beta.project, datetime.date(2025, 5, 1), 4000, 3)
    job(w.moved, datetime.date(2025, 6, 30), 200, 4)  # beta's last day
    job(w.moved, datetime.date(2025, 7, 1), 800, 5)  # alpha's first
    job(w.alpha.project, datetime.date(2026, 1, 1), 999, 6)  # another year
    invoice(
        w.alpha.establishment,
        "F-2025-000001",
        "2025Q3",
        [("proj-alpha", "hpc", "30.00"), ("proj-moved", "hpc", "8.00")],
    )
    invoice(w.beta.establishment, "F-2025-000002", "2025Q3", [("proj-beta", "cloud-vm", "62.00")])
    return w
