"""Demo projects: an HPC call with a decided round and an open one (its budget shared out by theme), eight projects across the themes, recent usage.

Every date counts from the day the demo was first loaded (``day``): the decided round closed months ago, its
allocations run now, the second round is open, the projects' jobs ran over the last weeks. Rows are found by natural
key and created when missing, never updated, so a second load changes nothing, whatever users did since; the
Slurm operations are queued only when an allocation is created.
"""

import datetime
from zoneinfo import ZoneInfo

from mesocentre.core.demo import month_start
from mesocentre.hpc import history, holdings, services
from mesocentre.hpc.models import (
    Allocation,
    AllocationRequest,
    Call,
    ChangeRequest,
    Decision,
    Review,
    ReviewAssignment,
    Round,
    RoundBudget,
)
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Grant, Project, ProjectMembership, Publication
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.demo import charter_day, load_charter
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, User

PARIS = ZoneInfo("Europe/Paris")


def at(day: datetime.date, hour: int = 0) -> datetime.datetime:
    # In UTC, as the database gives it back: the audit compares a second load's values with the stored ones.
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS).astimezone(datetime.UTC)


class Timeline:
    """The demo's calendar, counted in months from the day it was first loaded."""

    def __init__(self, day: datetime.date) -> None:
        self.day = day
        self.projects_start = month_start(day, -11)
        self.projects_end = month_start(day, 25) - datetime.timedelta(days=1)
        self.round1 = (at(month_start(day, -11) + datetime.timedelta(days=4)), at(month_start(day, -8)))
        self.round1_submitted = at(month_start(day, -10) + datetime.timedelta(days=14), 10)
        self.allocations = (month_start(day, -7), month_start(day, 5) - datetime.timedelta(days=1))
        self.round2 = (at(month_start(day, -2)), at(month_start(day, 2)))  # open on `day`, whatever its date
        self.round2_submitted = at(month_start(day, -2) + datetime.timedelta(days=19), 10)

    @property
    def call_year(self) -> int:
        return self.round2[0].astimezone(PARIS).year


# (username, first, last, unix login, establishment, laboratory, reviewer)
USERS = [
    ("pi-irap", "Ursule", "Étoile", "uetoile", "cnrs", "irap", False),
    ("pi-lcc", "Carl", "Chimiste", "cchimiste", "cnrs", "lcc", False),
    ("pi-cirimat", "Mona", "Matériaux", "mmateriaux", "ut3", "cirimat", False),
    ("pi-ica", "Stéphane", "Structure", "sstructure", "insa", "ica", False),
    ("pi-lpt", "Théo", "Rique", "trique", "ut3", "lpt", False),
    ("pi-genphyse", "Gina", "Génome", "ggenome", "inrae", "genphyse", False),
    ("reviewer-isae", "Victor", "Relecteur", "vrelecteur", "isae", "ica", True),
]
# Who accepted the usage charter (with the tenancy demo's pi-irit and pi-imft; member-irit has not, so Slurm does
# not know them yet).
CHARTER = ["pi-irap", "pi-lcc", "pi-cirimat", "pi-ica", "pi-lpt", "pi-genphyse"]

# (code, title, laboratory, paying establishment, theme, PI, other members)
PROJECTS = [
    ("irit-hybrid-ai", "Certified hybrid AI for flight control", "irit", "ut3", "numerical-methods", "pi-irit",
     ["member-irit"]),
    ("imft-jets", "Turbulent jets in combustion chambers", "imft", "cnrs", "fluids", "pi-imft", []),
    ("irap-galaxies", "Galaxy formation in cosmological volumes", "irap", "cnrs", "universe", "pi-irap", []),
    ("lcc-catalysis", "Catalysis by coordination complexes", "lcc", "cnrs", "chemistry", "pi-lcc", []),
    ("cirimat-alloys", "Ab initio high-entropy alloys", "cirimat", "ut3", "materials", "pi-cirimat", []),
    ("ica-composites", "Fatigue of composite aircraft structures", "ica", "insa", "structural-mechanics", "pi-ica",
     []),
    ("lpt-lattice", "Lattice QCD at finite density", "lpt", "ut3", "theoretical-physics", "pi-lpt", []),
    ("genphyse-genomics", "Livestock genomics pipelines", "genphyse", "inrae", "life", "pi-genphyse", []),
]  # fmt: skip

# Round 1 (closed, decided): (project, asked cpu, asked gpu, granted cpu, granted gpu, reason)
DECIDED = [
    ("irit-hybrid-ai", 2_000_000, 20_000, 1_500_000, 15_000, "Scaling study not yet shown; half the GPU share."),
    ("imft-jets", 9_000_000, 0, 9_000_000, 0, ""),
    ("irap-galaxies", 6_000_000, 2_000, 5_000_000, 2_000, "Budget: every universe project cut by a sixth."),
    ("lcc-catalysis", 3_500_000, 0, 3_500_000, 0, ""),
    ("cirimat-alloys", 10_000_000, 0, 9_000_000, 0, "Budget: the largest requests cut by a tenth."),
    ("ica-composites", 800_000, 0, 800_000, 0, ""),
]
# Round 2 (open): (project, cpu, gpu, scratch, [(reviewer, score or None)])
OPEN = [
    ("irit-hybrid-ai", 2_500_000, 25_000, 5_000, [("reviewer", 4)]),
    ("lpt-lattice", 4_000_000, 0, 2_000, [("reviewer", 5), ("reviewer-isae", None)]),
    ("genphyse-genomics", 1_200_000, 4_000, 20_000, [("reviewer-isae", 3)]),
]
# Round 2's budget shared out by theme (core-hours, GPU hours): within its 20 M core-hours and 30 000 GPU hours.
OPEN_BUDGETS = [
    ("numerical-methods", 5_000_000, 25_000),
    ("theoretical-physics", 5_000_000, 0),
    ("life", 3_000_000, 5_000),
    ("fluids", 4_000_000, 0),
]
# Recent usage, as Slurm's accounting would give it: (project, share of its core-hours used, share of its GPU
# hours), spread over daily jobs of the 28 days before the demo's day. cirimat-alloys is past the 80 % warning.
USAGE = [
    ("irit-hybrid-ai", 0.35, 0.50),
    ("imft-jets", 0.55, 0),
    ("irap-galaxies", 0.20, 0.10),
    ("lcc-catalysis", 0.40, 0),
    ("cirimat-alloys", 0.85, 0),
    ("ica-composites", 0.10, 0),
]
USAGE_DAYS = 28


def _users(day, labs, establishments):
    for username, first, last, login, est, lab, reviewer in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "unix_login": login, "is_reviewer": reviewer,
                      "email": f"{username}@demo.mesocentre.local",
                      "charter_accepted_at": charter_day(day) if username in CHARTER else None},
        )  # fmt: skip
        if created:  # a user's memberships are theirs once they exist
            user.set_password("demo")
            user.save()
            Membership.objects.create(user=user, establishment=establishments[est], laboratory=labs[lab])


def _projects(when: Timeline, labs, establishments, themes) -> dict:
    projects = {}
    for code, title, lab, est, theme, pi, members in PROJECTS:
        project, created = Project.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "laboratory": labs[lab],
                "paying_establishment": establishments[est],
                "theme": themes[theme],
                "starts_on": when.projects_start,
                "ends_on": when.projects_end,
                "data_management_plan_url": f"https://dmp.opidor.fr/plans/{code}",
            },
        )
        if created:  # its members are the PI's business from then on
            ProjectMembership.objects.create(project=project, user=User.objects.get(username=pi), role="pi")
            for username in members:
                ProjectMembership.objects.create(project=project, user=User.objects.get(username=username))
        projects[code] = project
    Grant.objects.get_or_create(project=projects["irit-hybrid-ai"], funder="ANR", reference="ANR-19-P3IA-0004",
                                defaults={"amount": "1250000.00"})  # fmt: skip
    Publication.objects.get_or_create(project=projects["imft-jets"], title="Large-eddy simulation of swirling jets",
                                      defaults={"year": when.day.year - 1, "doi": "10.1017/jfm.2025.00001"})  # fmt: skip
    return projects


def _request(project, round, cpu, gpu, scratch, submitted, status):
    request, _ = AllocationRequest.objects.get_or_create(
        project=project,
        round=round,
        defaults={"cpu_core_hours": cpu, "gpu_hours": gpu, "scratch_gb": scratch, "status": status,
                  "justification": f"Production runs of {project.title.lower()}.", "submitted_at": submitted},
    )  # fmt: skip
    return request


def _decided_round(when: Timeline, projects, call, operator) -> None:
    closed, _ = Round.objects.get_or_create(
        call=call, name="Session 1",
        defaults={"opens_at": when.round1[0], "closes_at": when.round1[1], "cpu_budget": 40_000_000,
                  "gpu_budget": 40_000},
    )  # fmt: skip
    allocations = {}
    for code, cpu, gpu, granted_cpu, granted_gpu, reason in DECIDED:
        request = _request(projects[code], closed, cpu, gpu, 1000, when.round1_submitted, "decided")
        decision, _ = Decision.objects.get_or_create(
            request=request, defaults={"cpu_core_hours": granted_cpu, "gpu_hours": granted_gpu, "reason": reason}
        )
        allocations[code], created = Allocation.objects.get_or_create(
            decision=decision,
            defaults={"project": projects[code], "cpu_core_hours": granted_cpu, "gpu_hours": granted_gpu,
                      "starts_on": when.allocations[0], "ends_on": when.allocations[1]},
        )  # fmt: skip
        if created:
            holdings.follow(allocations[code])  # its resource of the HPC offering (the catalogue's demo is loaded)
            services._push_to_slurm(projects[code], None)  # waits in the queue until a worker reaches Slurm
    change, created = ChangeRequest.objects.get_or_create(
        allocation=allocations["imft-jets"], change_type="more_hours", justification="Mesh refinement doubled the cost.",
        defaults={"extra_cpu_core_hours": 1_000_000},
    )  # fmt: skip
    if created:
        services.approve_change_request(operator, change)


def _open_round(when: Timeline, projects, call) -> None:
    open_round, _ = Round.objects.get_or_create(
        call=call, name="Session 2",
        defaults={"opens_at": when.round2[0], "closes_at": when.round2[1], "cpu_budget": 20_000_000,
                  "gpu_budget": 30_000},
    )  # fmt: skip
    themes = {t.code: t for t in ScientificTheme.objects.filter(code__in=[code for code, *_ in OPEN_BUDGETS])}
    for code, cpu, gpu in OPEN_BUDGETS:
        RoundBudget.objects.get_or_create(
            round=open_round, theme=themes[code], defaults={"cpu_budget": cpu, "gpu_budget": gpu}
        )
    reviewers = {u.username: u for u in User.objects.filter(username__in=["reviewer", "reviewer-isae"])}
    for code, cpu, gpu, scratch, reviews in OPEN:
        request = _request(projects[code], open_round, cpu, gpu, scratch, when.round2_submitted, "under_review")
        for username, score in reviews:
            assignment, _ = ReviewAssignment.objects.get_or_create(request=request, reviewer=reviewers[username])
            if score is not None:
                Review.objects.get_or_create(
                    assignment=assignment,
                    defaults={"score": score, "private_comment": "Solid team; the scaling data are convincing.",
                              "public_comment": "Please report the parallel efficiency beyond 2 000 cores."},
                )  # fmt: skip


def _usage(when: Timeline, projects) -> None:
    """One job a day per project, ending at 18:00, as `metering collect-slurm` would record it."""
    for code, cpu_share, gpu_share in USAGE:
        granted = next(d for d in DECIDED if d[0] == code)
        account = account_name(code)
        for n in range(USAGE_DAYS):
            ended = at(when.day - datetime.timedelta(days=USAGE_DAYS - n), 18)
            cpu_hours = int(granted[3] * cpu_share) // USAGE_DAYS
            gpu_hours = int(granted[4] * gpu_share) // USAGE_DAYS
            UsageRecord.objects.get_or_create(
                source=f"slurm:{services.DEFAULT_CLUSTER}",
                external_id=f"demo-{account}-{n + 1}",  # never a Slurm job id, so a real collection cannot clash
                defaults={"account": account, "user_login": "", "started_at": ended - datetime.timedelta(hours=8),
                          "ended_at": ended, "cpu_seconds": cpu_hours * 3600, "gpu_seconds": gpu_hours * 3600},
            )  # fmt: skip


def load(day: datetime.date, out=None) -> None:
    when = Timeline(day)
    labs = {lab.code: lab for lab in Laboratory.objects.all()}
    establishments = {e.code: e for e in Establishment.objects.all()}
    themes = {t.code: t for t in ScientificTheme.objects.all()}
    _users(day, labs, establishments)
    load_charter(day, CHARTER)  # the acceptances of the users just made
    projects = _projects(when, labs, establishments, themes)
    call, _ = Call.objects.get_or_create(
        code=f"appel-hpc-{when.call_year}",
        defaults={"name": f"Appel HPC {when.call_year}",
                  "description": "Heures de calcul sur le supercalculateur régional."},
    )  # fmt: skip
    _decided_round(when, projects, call, User.objects.get(username="operator"))
    _open_round(when, projects, call)
    _usage(when, projects)
    if out:
        out.write(f"projects: {len(PROJECTS)} projects, 1 call with 2 rounds, {len(DECIDED)} allocations")
    history.load(out)  # the year 2018 as the offer tells it, through the sacct import
