"""The demo's year 2018, as the offer tells it: 80 million core-hours delivered, shared by theme (materials 29 %,
fluids 27 %, universe 17 %, chemistry 12 %, life sciences 7 %, theoretical physics 5 %, structural mechanics 2 %,
numerical methods 1 %).

Each theme's laboratory had a project that year (closed at its end). Their jobs are written as ``sacct`` prints them
and recorded by the very import real data goes through (``metering.sacct.import_sacct``): about four thousand jobs of
576 to 1 152 cores and about 20 000 core-hours each, spread over the year's days, whose core-hours add up to each
theme's share exactly. Generated, not random: the same lines every time, so loading again finds every job known.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from mesocentre.metering.sacct import COLUMNS, import_sacct, sacct_text
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.models import Laboratory

YEAR = 2018
TOTAL_CORE_HOURS = 80_000_000
SHARES = [  # theme, percent of the year's core-hours
    ("materials", 29),
    ("fluids", 27),
    ("universe", 17),
    ("chemistry", 12),
    ("life", 7),
    ("theoretical-physics", 5),
    ("structural-mechanics", 2),
    ("numerical-methods", 1),
]
CORE_HOURS_A_JOB = 20_000
CORES = (576, 720, 864, 1008, 1152)
CLUSTER = "mesocentre"
PARIS = ZoneInfo("Europe/Paris")


def project_code(laboratory: Laboratory) -> str:
    return f"{laboratory.code}-{YEAR}"


def _projects() -> dict[str, Project]:
    """Each theme's laboratory's project of 2018, closed at the year's end (made once)."""
    projects = {}
    for theme, _share in SHARES:
        laboratory = Laboratory.objects.filter(theme__code=theme).order_by("code").first()
        if laboratory is None:
            continue
        payer = laboratory.establishments.order_by("code").first()
        projects[theme], _created = Project.objects.get_or_create(
            code=project_code(laboratory),
            defaults={
                "title": f"{laboratory.name}: {YEAR} campaign",
                "laboratory": laboratory,
                "paying_establishment": payer,
                "theme": laboratory.theme,
                "starts_on": datetime.date(YEAR, 1, 1),
                "ends_on": datetime.date(YEAR, 12, 31),
                "status": Project.Status.CLOSED,
            },
        )
    return projects


def jobs(theme: str, percent: int) -> list[tuple[int, int]]:
    """The theme's jobs as (cores, seconds): whole seconds whose core-seconds add up to its share exactly."""
    core_seconds = TOTAL_CORE_HOURS * percent // 100 * 3600
    count = max(1, TOTAL_CORE_HOURS * percent // 100 // CORE_HOURS_A_JOB)
    each = core_seconds // count
    result = []
    for index in range(count - 1):
        cores = CORES[index % len(CORES)]
        result.append((cores, each // cores))
    rest = core_seconds - sum(cores * seconds for cores, seconds in result)
    result.append((CORES[0], rest // CORES[0]))
    if rest % CORES[0]:
        result.append((rest % CORES[0], 1))  # the last core-seconds, so that the theme's total is exact
    return result


def rows(projects: dict[str, Project]) -> list[list[str]]:
    """sacct's lines for the year: each job ends at 18:00 on a day spread over the year, local time."""
    lines = []
    days = (datetime.date(YEAR + 1, 1, 1) - datetime.date(YEAR, 1, 1)).days
    job_id = 100_000
    for theme, percent in SHARES:
        project = projects.get(theme)
        if project is None:
            continue
        theme_jobs = jobs(theme, percent)
        for index, (cores, seconds) in enumerate(theme_jobs):
            job_id += 1
            day = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=index * days // len(theme_jobs))
            end = datetime.datetime.combine(day, datetime.time(18))
            start = end - datetime.timedelta(seconds=seconds)
            submit = start - datetime.timedelta(hours=1)
            lines.append(
                [
                    str(job_id),
                    CLUSTER,
                    account_name(project.code),
                    "demo",
                    submit.isoformat(timespec="seconds"),
                    start.isoformat(timespec="seconds"),
                    end.isoformat(timespec="seconds"),
                    str(seconds),
                    f"billing={cores},cpu={cores},mem=190G,node={max(1, cores // 36)}",
                    "COMPLETED",
                ]
            )
    return lines


def load(out=None) -> None:
    projects = _projects()
    report = import_sacct(sacct_text(rows(projects), COLUMNS), cluster=CLUSTER, time_zone=str(PARIS))
    if out:
        out.write(f"2018: {len(projects)} projects, {report.imported} jobs recorded ({report.known} known already)")
