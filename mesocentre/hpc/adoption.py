"""``mesocentre slurm import``: a cluster full of accounts becomes projects, members and allocations.

The platform's tree is cluster root → establishment → project, so an account directly under the root account is
read as an establishment (matched by its account name) and an account under one of those as a project:
- the project's code is the account name (the platform then derives the same account name from it); its title is
  Slurm's description; its laboratory is the one whose code is the account's Organization, else the
  establishment's only laboratory, else ``--laboratory``; its theme the laboratory's;
- its members are the platform users whose Unix login is associated with the account; Slurm's coordinators of
  the account become principal investigators;
- its allocation is the account's GrpTRESMins (cpu, gres/gpu) in whole hours, active (suspended if all zero).
Nothing is queued for Slurm: it already holds these accounts. What could not be mapped is reported with the reason,
and what the next push would change in Slurm (users unknown here, limits rounded to hours) as a warning.
"""

from __future__ import annotations

import datetime
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mesocentre.hpc import holdings
from mesocentre.hpc.models import Allocation
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.projects.naming import account_name, is_valid
from mesocentre.provisioning.slurm.adoption import ExistingAccount
from mesocentre.tenancy.models import Establishment, Laboratory, User

MANAGED_TRES = {"cpu": "CPU core-hours", "gres/gpu": "GPU hours"}


class _Report:
    def __init__(self):
        self.created: list[dict] = []
        self.known: list[str] = []
        self.establishments: list[str] = []
        self.not_mapped: list[dict] = []
        self.warnings: list[dict] = []

    def refuse(self, account: str, reason: str) -> None:
        self.not_mapped.append({"account": account, "reason": reason})

    def warn(self, account: str, message: str) -> None:
        self.warnings.append({"account": account, "message": message})

    def as_dict(self) -> dict:
        return {
            "establishments": self.establishments,
            "created": self.created,
            "known": self.known,
            "not_mapped": self.not_mapped,
            "warnings": self.warnings,
        }


def import_accounts(
    cluster: str,
    accounts: list[ExistingAccount],
    *,
    dry_run: bool = False,
    ends_on: datetime.date | None = None,
    laboratory: str | None = None,
    today: datetime.date | None = None,
) -> dict:
    """Create what ``accounts`` map to, in one transaction (rolled back with ``dry_run``); return the report."""
    today = today or timezone.localdate()
    ends_on = ends_on or today + datetime.timedelta(days=365)
    fallback_lab = Laboratory.objects.filter(code=laboratory).first() if laboratory else None
    if laboratory and fallback_lab is None:
        raise ValidationError({"laboratory": f"No laboratory has the code {laboratory!r}."})
    report = _Report()
    with transaction.atomic():
        establishments = {account_name(e.code): e for e in Establishment.objects.all()}
        known = {account_name(code): code for code in Project.objects.values_list("code", flat=True)}
        granted_here = set(Allocation.objects.filter(cluster=cluster).values_list("project__code", flat=True))
        logins = {login for a in accounts for login in a.users}
        users = {u.unix_login: u for u in User.objects.filter(unix_login__in=logins)}
        for existing in accounts:
            if existing.account in known and known[existing.account] not in granted_here:
                report.refuse(
                    existing.account,
                    f"project {known[existing.account]} exists but has no allocation on {cluster}: grant it one, "
                    "or reconciliation counts this account as unknown",
                )
            elif existing.account in known:
                report.known.append(existing.account)
            elif existing.depth == 1:
                _establishment(existing, establishments, report)
            elif existing.depth == 2:
                _project(cluster, existing, establishments, users, fallback_lab, today, ends_on, report)
            else:
                report.refuse(
                    existing.account,
                    f"it sits {existing.depth} levels below the root account; the platform's tree is "
                    "root → establishment → project: create this project by hand",
                )
        if dry_run:
            transaction.set_rollback(True)
    return report.as_dict()


def _establishment(existing: ExistingAccount, establishments: dict, report: _Report) -> None:
    if existing.account in establishments:
        report.establishments.append(existing.account)
    else:
        report.refuse(
            existing.account,
            "no establishment of the platform has this code: create the establishment (its code gives the account "
            "name), then import again",
        )
    if existing.users:
        report.warn(existing.account, f"users directly in an establishment account are not imported: "
                    f"{', '.join(existing.users)}")  # fmt: skip


def _laboratory(existing: ExistingAccount, establishment: Establishment, fallback: Laboratory | None):
    labs = list(establishment.laboratories.all())
    by_code = {lab.code.lower(): lab for lab in labs}
    if existing.organization.lower() in by_code:
        return by_code[existing.organization.lower()]
    if len(labs) == 1:
        return labs[0]
    return fallback


def _project(cluster, existing, establishments, users, fallback_lab, today, ends_on, report: _Report) -> None:
    name = existing.account
    establishment = establishments.get(existing.parent)
    if establishment is None:
        report.refuse(name, f"its parent account {existing.parent!r} is no establishment of the platform")
        return
    if not is_valid(name):
        report.refuse(name, "its name does not follow the platform's rules for account names")
        return
    lab = _laboratory(existing, establishment, fallback_lab)
    if lab is None:
        report.refuse(
            name,
            f"cannot tell its laboratory: set the account's Organization to a laboratory code of "
            f"{establishment.code}, or give --laboratory",
        )
        return
    if lab.theme is None:
        report.refuse(name, f"laboratory {lab.code} has no main theme to give the project")
        return
    project = Project(
        code=name,
        title=existing.description if existing.description and existing.description != name else name,
        summary=f"Imported from the Slurm cluster {cluster} on {today.isoformat()}: to be completed.",
        laboratory=lab,
        paying_establishment=establishment,
        theme=lab.theme,
        starts_on=today,
    )
    try:
        with transaction.atomic():
            project.full_clean()
            project.save()
    except ValidationError as exc:
        report.refuse(name, " ".join(exc.messages))
        return
    members = _members(project, existing, users, report)
    allocation = _allocation(cluster, project, existing, today, ends_on, report)
    report.created.append({"account": name, "project": project.code, "members": members, "allocation": allocation})


def _members(project: Project, existing: ExistingAccount, users: dict, report: _Report) -> list[dict]:
    members, unknown, without_charter = [], [], []
    for login in existing.users:
        user = users.get(login)
        if user is None:
            unknown.append(login)
            continue
        role = ProjectMembership.Role.PI if login in existing.coordinators else ProjectMembership.Role.MEMBER
        ProjectMembership.objects.create(project=project, user=user, role=role)
        members.append({"login": login, "username": user.username, "role": role})
        if user.charter_accepted_at is None:
            without_charter.append(login)
    if unknown:
        report.warn(existing.account, f"no platform user has these Unix logins: {', '.join(unknown)}; they stay in "
                    "Slurm until the project's next change, which removes them")  # fmt: skip
    if without_charter:
        report.warn(existing.account, f"these members have not accepted the usage charter: "
                    f"{', '.join(without_charter)}; the project's next change removes them from Slurm")  # fmt: skip
    if not any(m["role"] == ProjectMembership.Role.PI for m in members):
        report.warn(existing.account, "no Slurm coordinator of the account is a platform user: name the PI")
    return members


def _allocation(cluster, project, existing: ExistingAccount, today, ends_on, report: _Report) -> dict | None:
    limits = existing.limits or {}
    managed = {tres: minutes for tres, minutes in limits.items() if tres in MANAGED_TRES}
    others = sorted(set(limits) - set(MANAGED_TRES))
    if others:
        report.warn(existing.account, f"limits on {', '.join(others)} stay in Slurm; the platform does not manage them")
    if not managed:
        report.warn(existing.account, "no GrpTRESMins on cpu or gres/gpu (unlimited in Slurm): no allocation "
                    "imported; grant one")  # fmt: skip
        return None
    for tres in sorted(set(MANAGED_TRES) - set(managed)):
        report.warn(existing.account, f"no {tres} limit (unlimited in Slurm): imported as 0 {MANAGED_TRES[tres]}, "
                    "which the project's next change writes to Slurm")  # fmt: skip
    hours = {tres: math.ceil(minutes / 60) for tres, minutes in managed.items()}
    for tres, minutes in managed.items():
        if minutes % 60:
            report.warn(existing.account, f"the {tres} limit of {minutes} minutes is not whole hours: imported as "
                        f"{hours[tres]} {MANAGED_TRES[tres]}")  # fmt: skip
    allocation = Allocation.objects.create(
        project=project,
        cluster=cluster,
        cpu_core_hours=hours.get("cpu", 0),
        gpu_hours=hours.get("gres/gpu", 0),
        starts_on=today,
        ends_on=ends_on,
        status=Allocation.Status.ACTIVE if any(managed.values()) else Allocation.Status.SUSPENDED,
    )
    holdings.follow(allocation)  # its resource of the HPC offering, held from today
    return {
        "cpu_core_hours": allocation.cpu_core_hours,
        "gpu_hours": allocation.gpu_hours,
        "status": allocation.status,
        "ends_on": ends_on.isoformat(),
    }
