"""The mail server is down when the committee decides: the decision is recorded, the operator is told so, and the
e-mail waits in the queue until a real SMTP server takes it, then arrives exactly once."""

import datetime
import socket

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mesocentre.hpc import services
from mesocentre.hpc.models import Allocation, SentNotification
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.worker import Worker


def closed_port() -> int:
    """A port nothing listens on: connecting to it is refused, as when the mail server is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_worker() -> None:
    # The real worker loop, in-process (inside the test's transaction), applying everything that is due.
    Worker("test-worker", once=True).run()


def test_a_decision_made_while_the_mail_server_is_down_reaches_the_pi_once_it_is_up(
    w, client, smtp_server, settings, time_machine
):
    w.pi.email, w.pi.preferred_language = "pi@example.org", "en"
    w.pi.save()
    with transaction.atomic():
        request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=1000, justification="Runs.")
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port()

    client.force_login(w.operator)
    form = {"cpu_core_hours": 800, "gpu_hours": 0, "reason": "Budget.", "cluster": "mesocentre"}
    form |= {"starts_on": "2026-07-01", "ends_on": "2027-06-30"}
    response = client.post(reverse("hpc:decide", args=[request.pk]), form, follow=True)
    assert response.status_code == 200
    assert "Decision recorded" in response.content.decode()
    assert Allocation.objects.filter(decision__request=request).count() == 1
    [notification] = SentNotification.objects.filter(key__startswith=f"decision:{request.pk}:")
    assert notification.recipients == 1
    [mail] = Operation.objects.filter(backend="mail")
    assert mail.state == Operation.State.PENDING and mail.target["to"] == ["pi@example.org"]

    run_worker()  # the server is down: the attempt fails and is retried later
    mail.refresh_from_db()
    assert mail.state == Operation.State.PENDING and mail.attempts == 1
    assert f"127.0.0.1:{settings.EMAIL_PORT}" in mail.last_error and "will retry" in mail.last_error
    assert smtp_server == []

    settings.EMAIL_PORT = up
    run_worker()
    assert smtp_server == [], "not before its backoff"
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=1), tick=True)
    run_worker()
    run_worker()  # nothing more to do: it went out once
    [received] = smtp_server
    assert received["To"] == "pi@example.org" and received["Subject"] == "The committee has decided"
    assert "800 core-hours" in received.get_payload(decode=True).decode()
    mail.refresh_from_db()
    assert mail.state == Operation.State.DONE and mail.attempts == 2
    assert mail.result["accepted"] == ["pi@example.org"]
    assert "body" not in mail.target, "delivered: the body (an invitation's secret link) leaves the database"


def test_a_periodic_notification_sent_while_the_server_is_down_is_kept_and_not_queued_twice(
    w, decided, smtp_server, settings, time_machine
):
    from mesocentre.hpc import notifications

    w.pi.email, w.pi.preferred_language = "pi@example.org", "en"
    w.pi.save()
    up, settings.EMAIL_PORT = settings.EMAIL_PORT, closed_port()
    assert notifications.send_due(timezone.now()) >= 1  # the open round
    run_worker()
    assert smtp_server == []
    assert SentNotification.objects.get(key=f"round-open:{w.round.pk}").recipients == 1, "not sent to nobody"
    assert notifications.send_due(timezone.now()) == 0, "the daily rerun queues nothing twice"

    settings.EMAIL_PORT = up
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=1), tick=True)
    run_worker()
    assert [m["Subject"] for m in smtp_server if m["To"] == "pi@example.org"].count("A call for HPC hours is open") == 1
