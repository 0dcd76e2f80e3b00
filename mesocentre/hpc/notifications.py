"""E-mails of the allocation path: round open, review assigned, decision, 80 % and 100 % consumed, expiring.

Events raised by a service (assignment, decision) are queued in its transaction; periodic ones (round open,
consumption, expiry) by ``mesocentre hpc notify``, run daily. Each notification has a key and is queued once
(``SentNotification``); the worker delivers its messages (``core.notify``, the ``mail`` backend).
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesocentre.core.notify import notify
from mesocentre.hpc.accounts import SLURM_PREFETCH, granted, removals_of
from mesocentre.hpc.models import Allocation, ReviewAssignment, Round, SentNotification
from mesocentre.metering.services import consumed_hours
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.projects.naming import account_name

THRESHOLDS = (80, 100)
EXPIRY_WARNING = datetime.timedelta(days=30)


def _once(key: str, users, subject, template: str, context: dict) -> int:
    """Queue unless a notification with this key was queued already; the number of e-mails queued now (one per
    recipient with an address: a round opening reaches every PI).

    The record and the messages commit together (with the caller's change, when there is one): a notification is
    recorded exactly when its messages are in the queue, which delivers each (one operation per recipient, done
    when the SMTP server accepted it). A mail server that is down delays them; it loses nothing."""
    try:
        with transaction.atomic():
            record = SentNotification.objects.create(key=key)
            record.recipients = notify(users, str(subject), template, context, key=key)
            record.save(update_fields=["recipients"])
    except IntegrityError:
        return 0
    return record.recipients


def _project_leads(project: Project) -> list:
    roles = (ProjectMembership.Role.PI, ProjectMembership.Role.MANAGER)
    return [m.user for m in project.memberships.filter(role__in=roles).select_related("user")]


# Queued in the service's transaction: the messages commit with the assignment or the decision, or not at all.
def review_assigned(assignment: ReviewAssignment) -> None:
    _once(
        f"review-assigned:{assignment.pk}",
        [assignment.reviewer],
        _("A review is assigned to you"),
        "hpc/mail/review_assigned.txt",
        {"assignment": assignment, "request": assignment.request},
    )


def decided(request, allocation: Allocation | None) -> None:
    _once(
        f"decision:{request.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
        _project_leads(request.project),
        _("The committee has decided"),
        "hpc/mail/decision.txt",
        {"request": request, "decision": request.decision, "allocation": allocation},
    )


def send_due(now: datetime.datetime | None = None) -> int:
    """The periodic notifications; returns how many e-mails were queued."""
    now = now or timezone.now()
    return _rounds_open(now) + _consumption() + _expiring(now.date())


def _pis() -> list:
    return [m.user for m in ProjectMembership.objects.filter(role=ProjectMembership.Role.PI).select_related("user")]


def round_opened(round_: Round, pis=None) -> int:
    """Every PI hears that ``round_`` is open, once (its key): from the daily run, or when it is created open."""
    return _once(
        f"round-open:{round_.pk}",
        _pis() if pis is None else pis,
        _("A call for HPC hours is open"),
        "hpc/mail/round_open.txt",
        {"round": round_},
    )


def _rounds_open(now) -> int:
    sent = 0
    pis = _pis()
    for round_ in Round.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("call"):
        sent += round_opened(round_, pis)
    return sent


def _consumption() -> int:
    sent = 0
    today = timezone.localdate()
    active = Project.objects.filter(status=Project.Status.ACTIVE, allocations__status=Allocation.Status.ACTIVE)
    for project in active.distinct().select_related("paying_establishment").prefetch_related(*SLURM_PREFETCH):
        clusters = sorted({a.cluster for a in project.allocations.all()})
        removals = removals_of(project, clusters)
        for cluster in clusters:
            # What the page and the Slurm limit call granted (``accounts.granted``), the active grants only: a
            # suspended or expired project is not told it consumes.
            started, cpu, _gpu = granted(project, cluster, today, removals[cluster])
            if not cpu or not any(a.status == Allocation.Status.ACTIVE for a in started):
                continue
            granted_cpu = Decimal(cpu)
            used, _used_gpu = consumed_hours(f"slurm:{cluster}", account_name(project.code), removals[cluster])
            for threshold in THRESHOLDS:
                if used * 100 >= granted_cpu * threshold:
                    # The key holds the grant: after more hours are granted, the thresholds count again.
                    sent += _once(
                        f"usage-{threshold}:{project.code}:{cluster}:{granted_cpu}",
                        _project_leads(project),
                        _("Your project has used %(p)s %% of its hours") % {"p": threshold},
                        "hpc/mail/consumption.txt",
                        {
                            "project": project,
                            "threshold": threshold,
                            "used": used,
                            "granted": granted_cpu,
                            "cluster": cluster,
                        },
                    )
    return sent


def _expiring(today: datetime.date) -> int:
    sent = 0
    soon = Allocation.objects.filter(
        status=Allocation.Status.ACTIVE, ends_on__gte=today, ends_on__lte=today + EXPIRY_WARNING
    ).select_related("project")
    for allocation in soon:
        sent += _once(
            f"expiring:{allocation.pk}:{allocation.ends_on}",
            _project_leads(allocation.project),
            _("An allocation is about to expire"),
            "hpc/mail/expiring.txt",
            {"allocation": allocation},
        )
    return sent
