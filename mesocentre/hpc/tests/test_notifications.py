"""The e-mails of the allocation path, through a real SMTP server, each sent once."""

import datetime
from email.header import decode_header, make_header

from django.db import transaction
from django.utils import timezone

from mesocentre.hpc import notifications, services
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.naming import account_name


def with_addresses(*users, language="en"):
    for user in users:
        user.email = f"{user.username}@example.org"
        user.preferred_language = language
        user.save()


def subjects_to(received, address):
    return [str(make_header(decode_header(m["Subject"]))) for m in received if m["To"] == address]


def test_review_assigned_and_decision_reach_the_reviewer_and_the_pi(w, smtp_server, deliver_mail):
    with_addresses(w.pi)
    with_addresses(w.outside, language="fr")
    with transaction.atomic():
        request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
        services.assign_reviewer(w.operator, request, w.outside)
    deliver_mail()
    assert subjects_to(smtp_server, "outside@example.org") == ["Une évaluation vous a été confiée"], "in French"
    services.decide(
        w.operator,
        request,
        cpu_core_hours=800,
        reason="Budget.",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    deliver_mail()
    [decision] = [m for m in smtp_server if m["To"] == "pi@example.org"]
    body = decision.get_payload(decode=True).decode()
    assert decision["Subject"] == "The committee has decided"
    assert "800 core-hours" in body and "Budget." in body


def test_periodic_notifications_go_out_once(decided, w, smtp_server, deliver_mail):
    with_addresses(w.pi)
    now = timezone.now()
    assert notifications.send_due(now) >= 1  # the open round
    deliver_mail()
    assert "A call for HPC hours is open" in subjects_to(smtp_server, "pi@example.org")
    smtp_server.clear()
    assert notifications.send_due(now) == 0  # nothing twice
    deliver_mail()

    # 80 % then 100 % of the 100 000 granted core-hours, read from the usage records of the project's account.
    account = account_name(w.project.code)
    UsageRecord.objects.create(
        source="slurm:mesocentre", external_id="1", account=account, ended_at=now, cpu_seconds=80_000 * 3600
    )
    notifications.send_due(now)
    deliver_mail()
    assert subjects_to(smtp_server, "pi@example.org") == ["Your project has used 80 % of its hours"]
    UsageRecord.objects.create(
        source="slurm:mesocentre", external_id="2", account=account, ended_at=now, cpu_seconds=20_000 * 3600
    )
    smtp_server.clear()
    notifications.send_due(now)
    deliver_mail()
    assert subjects_to(smtp_server, "pi@example.org") == ["Your project has used 100 % of its hours"]

    # The allocation ends on 2026-12-31: warned within the last 30 days, once.
    smtp_server.clear()
    december = timezone.make_aware(datetime.datetime(2026, 12, 15))
    notifications.send_due(december)
    deliver_mail()
    assert "An allocation is about to expire" in subjects_to(smtp_server, "pi@example.org")
    smtp_server.clear()
    notifications.send_due(december)
    deliver_mail()
    assert smtp_server == []
