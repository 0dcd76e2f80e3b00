"""Demo projects: « Appel HPC 2026 » with a decided round and an open one, eight projects across the themes.

Idempotent: natural keys and fixed dates; the Slurm operations are queued only when an allocation is created or
changed, so a second load queues nothing and records nothing.
"""

import datetime
from zoneinfo import ZoneInfo

from mesocentre.projects import services
from mesocentre.projects.models import (
    Allocation,
    AllocationRequest,
    Call,
    ChangeRequest,
    Decision,
    Grant,
    Project,
    ProjectMembership,
    Publication,
    Review,
    ReviewAssignment,
    Round,
)
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, User

PARIS = ZoneInfo("Europe/Paris")
CHARTER_DAY = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=PARIS)


def at(day: str) -> datetime.datetime:
    # In UTC, as the database gives it back: the audit compares a second load's values with the stored ones.
    return datetime.datetime.fromisoformat(day).replace(tzinfo=PARIS).astimezone(datetime.UTC)


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
# Who accepted the usage charter: member-irit has not, so Slurm does not know them yet.
CHARTER = ["pi-irit", "pi-imft", "pi-irap", "pi-lcc", "pi-cirimat", "pi-ica", "pi-lpt", "pi-genphyse"]

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


def _users(labs, establishments):
    for username, first, last, login, est, lab, reviewer in USERS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "unix_login": login, "is_reviewer": reviewer,
                      "email": f"{username}@demo.mesocentre.local"},
        )  # fmt: skip
        if created:
            user.set_password("demo")
            user.save()
        Membership.objects.update_or_create(
            user=user, establishment=establishments[est], defaults={"laboratory": labs[lab], "role": "member"}
        )
    for user in User.objects.filter(username__in=CHARTER, charter_accepted_at__isnull=True):
        user.charter_accepted_at = CHARTER_DAY
        user.save()


def _projects(labs, establishments, themes) -> dict:
    projects = {}
    for code, title, lab, est, theme, pi, members in PROJECTS:
        project, _ = Project.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "laboratory": labs[lab],
                "paying_establishment": establishments[est],
                "theme": themes[theme],
                "starts_on": datetime.date(2026, 1, 1),
                "ends_on": datetime.date(2028, 12, 31),
                "data_management_plan_url": f"https://dmp.opidor.fr/plans/{code}",
            },
        )
        ProjectMembership.objects.update_or_create(project=project, user=User.objects.get(username=pi),
                                                   defaults={"role": "pi"})  # fmt: skip
        for username in members:
            ProjectMembership.objects.get_or_create(project=project, user=User.objects.get(username=username))
        projects[code] = project
    Grant.objects.get_or_create(project=projects["irit-hybrid-ai"], funder="ANR", reference="ANR-19-P3IA-0004",
                                defaults={"amount": "1250000.00"})  # fmt: skip
    Publication.objects.get_or_create(project=projects["imft-jets"], title="Large-eddy simulation of swirling jets",
                                      defaults={"year": 2025, "doi": "10.1017/jfm.2025.00001"})  # fmt: skip
    return projects


def _request(project, round, cpu, gpu, scratch, submitted, status):
    request, _ = AllocationRequest.objects.update_or_create(
        project=project,
        round=round,
        defaults={"cpu_core_hours": cpu, "gpu_hours": gpu, "scratch_gb": scratch, "status": status,
                  "justification": f"Production runs of {project.title.lower()}.", "submitted_at": at(submitted)},
    )  # fmt: skip
    return request


def load(out=None) -> None:
    labs = {lab.code: lab for lab in Laboratory.objects.all()}
    establishments = {e.code: e for e in Establishment.objects.all()}
    themes = {t.code: t for t in ScientificTheme.objects.all()}
    operator = User.objects.get(username="operator")
    _users(labs, establishments)
    projects = _projects(labs, establishments, themes)
    call, _ = Call.objects.update_or_create(
        code="appel-hpc-2026",
        defaults={"name": "Appel HPC 2026", "description": "Heures de calcul sur le supercalculateur régional."},
    )
    closed, _ = Round.objects.update_or_create(
        call=call, name="Session 1",
        defaults={"opens_at": at("2026-01-05"), "closes_at": at("2026-03-31"), "cpu_budget": 40_000_000,
                  "gpu_budget": 40_000},
    )  # fmt: skip
    open_round, _ = Round.objects.update_or_create(
        call=call, name="Session 2",
        defaults={"opens_at": at("2026-10-01"), "closes_at": at("2027-01-31"), "cpu_budget": 20_000_000,
                  "gpu_budget": 30_000},
    )  # fmt: skip
    for code, cpu, gpu, granted_cpu, granted_gpu, reason in DECIDED:
        request = _request(projects[code], closed, cpu, gpu, 1000, "2026-02-15", "decided")
        decision, _ = Decision.objects.update_or_create(
            request=request, defaults={"cpu_core_hours": granted_cpu, "gpu_hours": granted_gpu, "reason": reason}
        )
        allocation, created = Allocation.objects.get_or_create(
            decision=decision,
            defaults={"project": projects[code], "cpu_core_hours": granted_cpu, "gpu_hours": granted_gpu,
                      "starts_on": datetime.date(2026, 5, 1), "ends_on": datetime.date(2027, 4, 30)},
        )  # fmt: skip
        if created:
            services._push_to_slurm(projects[code], None)  # waits in the queue until a worker reaches Slurm
    imft = Allocation.objects.get(project=projects["imft-jets"])
    change, created = ChangeRequest.objects.get_or_create(
        allocation=imft, change_type="more_hours",
        defaults={"extra_cpu_core_hours": 1_000_000, "justification": "Mesh refinement doubled the cost."},
    )  # fmt: skip
    if created:
        services.approve_change_request(operator, change)
    reviewers = {u.username: u for u in User.objects.filter(is_reviewer=True)}
    for code, cpu, gpu, scratch, reviews in OPEN:
        request = _request(projects[code], open_round, cpu, gpu, scratch, "2026-10-20", "under_review")
        for username, score in reviews:
            assignment, _ = ReviewAssignment.objects.get_or_create(request=request, reviewer=reviewers[username])
            if score is not None:
                Review.objects.update_or_create(
                    assignment=assignment,
                    defaults={"score": score, "private_comment": "Solid team; the scaling data are convincing.",
                              "public_comment": "Please report the parallel efficiency beyond 2 000 cores."},
                )  # fmt: skip
    if out:
        out.write(f"projects: {len(PROJECTS)} projects, 1 call with 2 rounds, {len(DECIDED)} allocations")
