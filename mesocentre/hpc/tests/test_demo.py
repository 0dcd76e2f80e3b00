import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from mesocentre.audit.models import AuditEntry
from mesocentre.core.demo import load_demo
from mesocentre.core.models import DemoState
from mesocentre.hpc import services
from mesocentre.hpc.models import Allocation, AllocationRequest, Call, Review, Round
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.provisioning.models import Operation


def snapshot() -> dict:
    """Every row of every table the platform holds, as stored."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in ("sessions", "admin", "contenttypes")
    }


def assert_alive(today: datetime.date) -> None:
    """What makes the demo look alive on ``today``: a round open now, allocations running, recent usage."""
    now = timezone.now()
    session1, session2 = Round.objects.filter(call=Call.objects.get()).order_by("opens_at")
    assert session1.closes_at < now and session2.is_open
    running = Allocation.objects.filter(status="active", starts_on__lte=today, ends_on__gte=today)
    assert running.count() == 6
    # The projects of today (those of 2018, closed since, are the demo's history).
    assert all(p.starts_on <= today <= p.ends_on for p in Project.objects.exclude(status="closed"))
    assert all(session2.is_open_at(r.submitted_at) for r in AllocationRequest.objects.filter(round=session2))
    week_ago = now - datetime.timedelta(days=7)
    assert (
        UsageRecord.objects.filter(ended_at__gte=week_ago, ended_at__lt=now).values("account").distinct().count() == 6
    )


def test_demo_is_complete_and_idempotent(demo):
    live = Project.objects.exclude(status="closed")
    assert live.count() == 8 and live.values("theme").distinct().count() == 8
    assert Project.objects.filter(status="closed", ends_on__year=2018).count() == 8, "and 2018's, closed"
    assert_alive(timezone.localdate())
    assert AllocationRequest.objects.filter(round__name="Session 2", status="under_review").count() == 3
    assert Review.objects.exists()
    session2 = Round.objects.get(name="Session 2")
    assert session2.budgets.filter(theme__isnull=False).count() == 4, "the open round shares its budget by theme"
    assert services.round_summary(session2)["budgeted_by_theme"]
    imft = Operation.objects.filter(backend="slurm", resource_key="mesocentre:imft-jets", state="pending").get()
    assert imft.target["limits"]["cpu"] == 10_000_000 * 60, "the approved change request raised the limit"
    irit = Operation.objects.get(backend="slurm", resource_key="mesocentre:irit-hybrid-ai", state="pending")
    assert irit.target["users"] == ["ichercheuse"], "member-irit has not accepted the charter"
    cirimat = Project.objects.get(code="cirimat-alloys")
    used = services.consumption(cirimat)
    assert used, "the consumption chart has recent points"
    before = snapshot()
    load_demo()
    assert snapshot() == before


@pytest.mark.parametrize("first_day", ["2026-01-31", "2026-12-01", "2027-03-31", "2028-02-29", "2031-07-15"])
def test_the_demo_looks_alive_on_the_day_it_is_first_loaded_and_the_same_on_later_runs(db, time_machine, first_day):
    day = datetime.date.fromisoformat(first_day)
    time_machine.move_to(datetime.datetime.combine(day, datetime.time(11), tzinfo=datetime.UTC), tick=True)
    assert load_demo() == day
    assert_alive(day)
    before = snapshot()

    time_machine.move_to(datetime.datetime.combine(day + datetime.timedelta(days=100), datetime.time(11)), tick=True)
    assert load_demo() == day, "the dates still count from the first load"
    assert snapshot() == before
    assert DemoState.objects.get().first_loaded_on == day


def test_the_demo_runs_again_after_use_and_leaves_what_users_changed(demo):
    """An operator grants a second allocation, a PI adds a member, a price changes, a user edits their name; then
    `mesocentre demo` again: it neither fails nor undoes any of it."""
    from mesocentre.catalogue.models import Component
    from mesocentre.catalogue.services import set_price
    from mesocentre.tenancy.models import Establishment, Membership, User

    operator, pi = User.objects.get(username="operator"), User.objects.get(username="pi-imft")
    imft = Project.objects.get(code="imft-jets")
    session2 = Round.objects.get(name="Session 2")
    today = timezone.localdate()
    request = services.submit_request(pi, imft, session2, cpu_core_hours=2_000_000, justification="Second phase.")
    second = services.decide(operator, request, cpu_core_hours=1_500_000, reason="Budget.", starts_on=today,
                             ends_on=today + datetime.timedelta(days=365))  # fmt: skip
    assert imft.allocations.count() == 2
    irit_request = AllocationRequest.objects.get(project__code="irit-hybrid-ai", round=session2)
    services.decide(operator, irit_request, cpu_core_hours=2_500_000, gpu_hours=25_000, starts_on=today,
                    ends_on=today + datetime.timedelta(days=365))  # fmt: skip
    newcomer = User.objects.create(username="newcomer", unix_login="newcomer", email="newcomer@example.org")
    Membership.objects.create(user=newcomer, establishment=Establishment.objects.get(code="cnrs"))
    services.add_member(pi, imft, newcomer)
    member = User.objects.get(username="member-irit")
    member.first_name, member.charter_accepted_at = "Mathieu-Renamed", timezone.now()
    member.save()
    vcpu = Component.objects.get(plan__offering__code="cloud-vm", plan__code="bronze", code="vcpu")
    set_price(vcpu, Decimal("55.00"), today + datetime.timedelta(days=30))
    Membership.objects.filter(user__username="member-irit").update(role="manager")

    before, audited, queued = snapshot(), AuditEntry.objects.count(), Operation.objects.count()
    load_demo()
    assert snapshot() == before, "a second run changes nothing"
    assert (AuditEntry.objects.count(), Operation.objects.count()) == (audited, queued)
    assert Allocation.objects.get(pk=second.pk).cpu_core_hours == 1_500_000
    assert User.objects.get(username="member-irit").first_name == "Mathieu-Renamed"
    assert vcpu.price_on(today).valid_until == today + datetime.timedelta(days=29), "the old price stays closed"


@pytest.mark.django_db(transaction=True)
def test_the_demos_slurm_operations_wait_until_a_worker_has_the_cluster(demo, client, slurm_cluster, monkeypatch):
    """Without SLURM_CONF the operations wait and the operations page says why; `worker --once` with it set creates
    the accounts, users and limits. The session's slurmdbd learns the demo's cluster name for this."""
    from mesocentre.hpc.services import desired_slurm_state
    from mesocentre.provisioning.services import unconfigured_slurm_clusters
    from mesocentre.provisioning.slurm import reconcile
    from mesocentre.provisioning.tests.conftest import worker_env
    from mesocentre.provisioning.tests.test_slurm_driver import run_worker
    from mesocentre.tenancy.models import User

    monkeypatch.delenv("SLURM_CONF", raising=False)
    monkeypatch.delenv("MESOCENTRE_SLURM_CLUSTER", raising=False)
    slurm_ops = Operation.objects.filter(backend="slurm").exclude(state="cancelled")  # superseded while loading
    assert unconfigured_slurm_clusters() == ["mesocentre"]
    client.force_login(User.objects.filter(is_operator=True).first())
    page = client.get(reverse("provisioning:operation_list")).content.decode()
    assert "No Slurm cluster named <code>mesocentre</code> is configured" in page

    unconfigured = worker_env()
    for name in ("SLURM_CONF", "MESOCENTRE_SLURM_CLUSTER"):
        unconfigured.pop(name, None)
    run_worker("demo-worker", unconfigured)
    assert slurm_ops.filter(state="pending", attempts=0).count() == 6

    client_ = slurm_cluster.client()
    client_.sacctmgr("add", "cluster", "mesocentre", ok_if_nothing=True)
    try:
        env = worker_env(SLURM_CONF=slurm_cluster.slurm_conf, MESOCENTRE_SLURM_CLUSTER="mesocentre")
        assert "6 operation(s) processed" in run_worker("demo-worker", env)
        assert set(slurm_ops.values_list("state", flat=True)) == {"done"}
        monkeypatch.setenv("SLURM_CONF", slurm_cluster.slurm_conf)
        monkeypatch.setenv("MESOCENTRE_SLURM_CLUSTER", "mesocentre")
        assert unconfigured_slurm_clusters() == []
        assert reconcile.drift("mesocentre") == [], "Slurm holds exactly what the demo's projects say"
        imft = next(t for t in desired_slurm_state("mesocentre") if t["account"] == "imft-jets")
        show = client_.sacctmgr(
            "show", "assoc", "where", "account=imft-jets", "cluster=mesocentre", "format=user,grptresmins"
        )
        assert f"cpu={imft['limits']['cpu']}" in show
    finally:
        client_.sacctmgr("delete", "cluster", "mesocentre", ok_if_nothing=True)
