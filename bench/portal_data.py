"""The data set of bench/portal_load.py: ColdFront's benchmark shape (../shared/bench/coldfront/gen_data.py) in
Mesocentre's models, made with bulk_create (no save(), no clean(), no signals: the rows are valid by construction).

For each of N projects: a PI and three members (unusable passwords, as accounts of an identity provider would have,
each a member of the project's paying establishment with its laboratory, the charter accepted, a Unix login), the
four project memberships, two active allocations on the cluster and ``USAGE_PER_ALLOCATION`` usage records (jobs) on
the project's Slurm account. Plus 10 establishments, 50 laboratories, 20 themes and one operator with a password.

Every model is imported in ``models()`` alone: the HPC models are moving out of ``mesocentre.projects``.
"""

from __future__ import annotations

import datetime
import random
import time
from types import SimpleNamespace

USAGE_PER_ALLOCATION = 5
BATCH = 2000
OPERATOR = "operator"
CLUSTER = "mesocentre"  # the default cluster (projects.models.allocations.DEFAULT_CLUSTER)
TOPICS = ["protein folding", "climate ensembles", "lattice QCD", "genome assembly", "CFD of turbines",
          "graph analytics", "seismic imaging", "materials discovery", "LLM fine-tuning", "astro N-body"]  # fmt: skip
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia", "Ken"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Perlman", "Cerf"]


def models() -> SimpleNamespace:
    """Every model the bench writes or reads, in one place."""
    from mesocentre.metering.models import UsageRecord
    from mesocentre.projects.models import Project, ProjectMembership

    try:  # after the split of the HPC models
        from mesocentre.hpc.models import Allocation
    except ImportError:
        from mesocentre.projects.models import Allocation
    from mesocentre.provisioning.slurm.names import account_name_for
    from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, User

    return SimpleNamespace(
        UsageRecord=UsageRecord, Allocation=Allocation, Project=Project, ProjectMembership=ProjectMembership,
        account_name_for=account_name_for, Establishment=Establishment, Laboratory=Laboratory, Membership=Membership,
        ScientificTheme=ScientificTheme, User=User,
    )  # fmt: skip


def code(i: int) -> str:
    return f"bench-{i:05d}"


def title(i: int) -> str:
    return f"Bench project {i:05d}: {TOPICS[i % len(TOPICS)]}"


def pi(i: int) -> str:
    return f"pi{i:05d}"


def sample(n: int) -> int:
    """The project whose page is measured (its number), as ColdFront's harness takes the middle one."""
    return max(1, n // 2)


def present(n: int) -> bool:
    m = models()
    found = m.Project.objects.filter(code__startswith="bench-").count()
    if found and found != n:
        raise SystemExit(f"the database holds {found} bench projects, not {n}: run with --reset")
    return found == n


def build(n: int, operator_password: str, today: datetime.date) -> dict[str, float]:
    """Make the data set of ``n`` projects; returns seconds per stage."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    m = models()
    rng = random.Random(20240601)
    timings: dict[str, float] = {}
    now = timezone.now()

    def stage(name: str, started: float) -> None:
        timings[name] = round(time.perf_counter() - started, 2)
        print(f"  {name:<24s} {timings[name]:7.2f} s", flush=True)

    t = time.perf_counter()
    with transaction.atomic():
        themes = m.ScientificTheme.objects.bulk_create(
            [m.ScientificTheme(code=f"theme-{k:02d}", name=f"Theme {k:02d}") for k in range(20)]
        )
        establishments = m.Establishment.objects.bulk_create(
            [m.Establishment(code=f"est-{k:02d}", name=f"Establishment {k:02d}", kind="university") for k in range(10)]
        )
        labs = m.Laboratory.objects.bulk_create(
            [m.Laboratory(code=f"lab-{k:02d}", name=f"Laboratory {k:02d}", theme=themes[k % 20]) for k in range(50)]
        )
        through = m.Laboratory.establishments.through
        through.objects.bulk_create(
            [through(laboratory_id=lab.pk, establishment_id=establishments[k % 10].pk) for k, lab in enumerate(labs)]
        )
        operator = m.User(username=OPERATOR, email="operator@example.edu", is_operator=True, is_staff=True,
                          preferred_language="en", first_name="Bench", last_name="Operator")  # fmt: skip
        operator.set_password(operator_password)
        operator.save()
    stage("reference rows", t)

    t = time.perf_counter()
    unusable = make_password(None)  # one unusable hash for all: no one logs in as them
    with transaction.atomic():
        users = []
        for i in range(1, n + 1):
            for j in range(4):
                name = pi(i) if j == 0 else f"u{i:05d}m{j}"
                users.append(
                    m.User(username=name, password=unusable, email=f"{name}@example.edu", unix_login=name,
                           first_name=rng.choice(FIRST), last_name=rng.choice(LAST), charter_accepted_at=now)
                )  # fmt: skip
        users = m.User.objects.bulk_create(users, batch_size=BATCH)
    stage("users", t)

    t = time.perf_counter()
    with transaction.atomic():
        projects = []
        for i in range(1, n + 1):
            lab = labs[i % len(labs)]
            start = today - datetime.timedelta(days=rng.randint(30, 700))
            projects.append(
                m.Project(code=code(i), title=title(i), summary=f"Benchmark project {i} at scale.", laboratory=lab,
                          paying_establishment=establishments[(i % len(labs)) % 10], theme=lab.theme,
                          starts_on=start, ends_on=start + datetime.timedelta(days=1095), status="active")
            )  # fmt: skip
        projects = m.Project.objects.bulk_create(projects, batch_size=BATCH)
        memberships, tenancy = [], []
        for k, project in enumerate(projects):
            for j in range(4):
                user = users[4 * k + j]
                memberships.append(m.ProjectMembership(project=project, user=user, role="pi" if j == 0 else "member"))
                tenancy.append(m.Membership(user=user, establishment_id=project.paying_establishment_id,
                                            laboratory_id=project.laboratory_id))  # fmt: skip
        m.ProjectMembership.objects.bulk_create(memberships, batch_size=BATCH)
        m.Membership.objects.bulk_create(tenancy, batch_size=BATCH)
    stage("projects + memberships", t)

    t = time.perf_counter()
    with transaction.atomic():
        allocations = []
        for project in projects:
            for _ in range(2):
                start = today - datetime.timedelta(days=rng.randint(0, 300))
                allocations.append(
                    m.Allocation(project=project, cluster=CLUSTER, starts_on=start,
                                 ends_on=start + datetime.timedelta(days=365),
                                 cpu_core_hours=rng.choice([10_000, 50_000, 100_000, 250_000]),
                                 gpu_hours=rng.choice([0, 0, 500]), status="active")
                )  # fmt: skip
        allocations = m.Allocation.objects.bulk_create(allocations, batch_size=BATCH)
    stage("allocations", t)

    t = time.perf_counter()
    with transaction.atomic():
        records = []
        for k, allocation in enumerate(allocations):
            project = allocation.project
            account = m.account_name_for(project.code)
            for job in range(USAGE_PER_ALLOCATION):
                ended = now - datetime.timedelta(hours=rng.randint(1, 24 * 300))
                hours = rng.randint(1, 48)
                records.append(
                    m.UsageRecord(source=f"slurm:{CLUSTER}", external_id=f"{k}.{job}", account=account,
                                  user_login=users[4 * (k // 2) + job % 4].unix_login,
                                  started_at=ended - datetime.timedelta(hours=hours), ended_at=ended,
                                  cpu_seconds=hours * 3600 * rng.choice([1, 16, 64]),
                                  gpu_seconds=hours * 3600 if allocation.gpu_hours else 0)
                )  # fmt: skip
        m.UsageRecord.objects.bulk_create(records, batch_size=BATCH)
    stage("usage records", t)

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    stage("vacuum analyze", t)
    return timings


def counts() -> dict[str, int]:
    m = models()
    return {
        "users": m.User.objects.count(),
        "projects": m.Project.objects.count(),
        "project memberships": m.ProjectMembership.objects.count(),
        "allocations": m.Allocation.objects.count(),
        "usage records": m.UsageRecord.objects.count(),
    }


def operator_token() -> str:
    """A fresh API token of the operator (the key, shown once)."""
    from mesocentre.tenancy.services import rotate_token

    return rotate_token(models().User.objects.get(username=OPERATOR))
