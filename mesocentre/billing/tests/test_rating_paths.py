"""The bulk import (PostgreSQL's COPY and one INSERT … SELECT) and the per-record import (the same checks in Python,
the ORM) of the same sacct file give a draft the same lines, to the cent."""

import datetime
import random

from mesocentre.billing import rating
from mesocentre.billing.tests.test_late_usage import company_project
from mesocentre.metering.models import UsageRecord
from mesocentre.metering.sacct import import_sacct
from mesocentre.projects.naming import account_name

HEADER = "JobIDRaw|Cluster|Account|User|Submit|Start|End|ElapsedRaw|AllocTRES|State"
Q2 = rating.Quarter(2026, 2)


def sacct_file(account: str, jobs: int) -> str:
    """``jobs`` ended jobs of April to June 2026, some with GPUs (and their typed twin), local times."""
    rng = random.Random(2026)
    lines = [HEADER]
    for job in range(1, jobs + 1):
        submit = datetime.datetime(2026, 4, 1) + datetime.timedelta(hours=rng.randrange(0, 2000))
        elapsed = rng.randrange(60, 86_400)
        end = submit + datetime.timedelta(seconds=elapsed)
        cpus = rng.choice((1, 8, 36, 128))
        tres = f"billing={cpus},cpu={cpus},node=1" + (",gres/gpu=2,gres/gpu:v100=2" if job % 7 == 0 else "")
        lines.append(f"{job}|mesocentre|{account}|u1|{submit:%Y-%m-%dT%H:%M:%S}|{submit:%Y-%m-%dT%H:%M:%S}|"
                     f"{end:%Y-%m-%dT%H:%M:%S}|{elapsed}|{tres}|COMPLETED")  # fmt: skip
    return "\n".join(lines) + "\n"


def priced(draft) -> list[tuple]:
    return [
        (line.description, line.quantity, line.unit_price_ht, line.amount_ht, line.period_start) for line in draft.lines
    ]


def test_the_bulk_and_the_per_record_imports_price_the_same_cents(shop):
    project = company_project(shop.w)
    text = sacct_file(account_name(project.code), 300)
    assert import_sacct([text], bulk=True).imported == 300
    bulk = rating.draft(shop.w.company, Q2)
    UsageRecord.objects.all().delete()
    assert import_sacct([text], bulk=False).imported == 300
    per_record = rating.draft(shop.w.company, Q2)
    assert priced(bulk) == priced(per_record) and bulk.total_ht == per_record.total_ht
    assert bulk.total_ht > 0 and any("GPU" in line.description for line in bulk.lines), priced(bulk)
