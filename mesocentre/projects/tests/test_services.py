import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mesocentre.hpc import services
from mesocentre.hpc.models import Allocation, ChangeRequest
from mesocentre.provisioning.models import Operation


def ops(project_code="jets"):
    return list(Operation.objects.filter(backend="slurm", resource_key=f"mesocentre:{project_code}").order_by("pk"))


def test_decide_makes_an_allocation_and_queues_one_absolute_target(w, decided):
    assert isinstance(decided, Allocation) and decided.cpu_core_hours == 100_000
    assert decided.decision.reason == "Budget."
    [operation] = ops()
    assert operation.state == "pending" and operation.resource_type == "account"
    assert operation.requested_by == w.operator
    assert operation.target == {
        "cluster": "mesocentre",
        "account": "jets",
        "parent": "cnrs",
        "users": ["pi"],
        "limits": {"cpu": 6_000_000, "gres/gpu": 30_000},
        "state": "active",
    }
    assert services.desired_slurm_state("mesocentre") == [operation.target]
    assert services.desired_slurm_state("gpu-platform") == []


def test_the_charter_gates_the_clusters(w, decided):
    membership = services.add_member(w.pi, w.project, w.student)
    assert membership.role == "member"
    assert "has not accepted the usage charter" in services.slurm_exclusion_reason(w.student)
    assert ops()[-1].target["users"] == ["pi"], "a member without the charter reaches Slurm"
    assert len(ops()) == 2, "one operation per change"
    w.student.charter_accepted_at = timezone.now()
    w.student.save()
    services.add_member(w.pi, w.project, w.student, "manager")
    assert ops()[-1].target["users"] == ["pi", "student"]
    services.remove_member(w.pi, membership)
    assert ops()[-1].target["users"] == ["pi"]
    pending = [o for o in ops() if o.state == "pending"]
    assert len(pending) == 1, "older targets are superseded by the newest"


def test_only_the_pi_or_managers_add_members(w, decided):
    for actor in (w.student, w.manager, w.outside):
        with pytest.raises(PermissionDenied):
            services.add_member(actor, w.project, w.outside)
    assert len(ops()) == 1


def test_a_change_request_raises_the_cumulative_limit(w, decided):
    change = services.request_change(
        w.pi, decided, change_type="more_hours", extra_cpu_core_hours=50_000, extra_gpu_hours=100, justification="More."
    )
    with pytest.raises(PermissionDenied):
        services.approve_change_request(w.pi, change)
    services.approve_change_request(w.operator, change)
    assert ops()[-1].target["limits"] == {"cpu": 150_000 * 60, "gres/gpu": 600 * 60}
    assert decided.total_cpu_core_hours == 150_000
    # A renewal in another round adds to the total: usage in Slurm never resets.
    services.expire_allocation(w.operator, decided)
    renewal = Allocation.objects.create(
        project=w.project,
        cpu_core_hours=10_000,
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )
    # It counts from its start date: scheduled before (the expired grant alone, limits 0), in the total from then.
    assert services.slurm_target(w.project)["limits"] == {"cpu": 0, "gres/gpu": 0}
    new_year = datetime.date(2027, 1, 1)
    assert services.slurm_target(w.project, today=new_year)["limits"] == {"cpu": 160_000 * 60, "gres/gpu": 600 * 60}
    extension = services.request_change(
        w.pi, renewal, change_type="extension", new_ends_on=datetime.date(2028, 6, 30), justification="Later."
    )
    services.approve_change_request(w.operator, extension, approve=True)
    renewal.refresh_from_db()
    assert renewal.ends_on == datetime.date(2028, 6, 30)
    refused = services.request_change(
        w.pi, renewal, change_type="more_hours", extra_cpu_core_hours=1, justification="x"
    )
    services.approve_change_request(w.operator, refused, approve=False)
    assert ChangeRequest.objects.get(pk=refused.pk).status == "refused"
    assert services.slurm_target(w.project, today=new_year)["limits"]["cpu"] == 160_000 * 60


def test_suspend_and_expire_set_the_limits_to_zero(w, decided):
    services.suspend_allocation(w.operator, decided)
    target = ops()[-1].target
    assert target["state"] == "suspended" and target["limits"] == {"cpu": 0, "gres/gpu": 0}
    assert target["users"] == ["pi"], "the account and its users stay"
    services.set_allocation_status(w.operator, decided, "active")
    assert ops()[-1].target["limits"]["cpu"] == 6_000_000
    expired = services.expire_due(today=datetime.date(2027, 1, 1), actor=w.operator)
    assert expired == [decided]
    assert ops()[-1].target["state"] == "suspended" and ops()[-1].target["limits"]["cpu"] == 0
    assert services.expire_due(today=datetime.date(2027, 1, 1)) == []
    with pytest.raises(PermissionDenied):
        services.suspend_allocation(w.pi, decided)


def test_round_summary_asked_granted_budget_by_theme_and_laboratory(w, decided):
    other = services.create_project(
        w.outside,
        code="mol",
        title="Molecules",
        laboratory=w.other_lab,
        paying_establishment=w.univ,
        theme=w.other_theme,
        starts_on=datetime.date(2026, 1, 1),
    )
    services.submit_request(w.outside, other, w.round, cpu_core_hours=300_000, justification="Runs.")
    summary = services.round_summary(w.round)
    assert (summary["budget_cpu"], summary["asked_cpu"], summary["granted_cpu"]) == (1_000_000, 420_000, 100_000)
    assert (summary["asked_gpu"], summary["granted_gpu"], summary["remaining_gpu"]) == (500, 500, 500)
    assert str(summary["share_of_cpu_budget"]) == "10.0"
    assert [(r["code"], r["asked_cpu"], r["granted_cpu"]) for r in summary["by_theme"]] == [
        ("chemistry", 300_000, 0),
        ("fluids", 120_000, 100_000),
    ]
    assert [(r["code"], r["requests"]) for r in summary["by_laboratory"]] == [("lab", 1), ("other", 1)]
    assert all(isinstance(r["granted_cpu"], int) for r in summary["by_theme"])


def test_an_ended_account_is_removed_once_after_its_grace_period(w, decided, settings):
    settings.MESOCENTRE = {**settings.MESOCENTRE, "SLURM_GRACE_DAYS": 30}
    assert services.removal_date(w.project, "mesocentre") is None, "an active allocation is never removed"
    services.suspend_allocation(w.operator, decided)
    assert services.remove_after_grace(today=datetime.date(2030, 1, 1)) == [], "a suspension is a pause, not an end"
    services.expire_allocation(w.operator, decided)
    assert services.removal_date(w.project, "mesocentre") == datetime.date(2027, 1, 30)
    within = services.slurm_target(w.project, "mesocentre", today=datetime.date(2027, 1, 29))
    assert within["state"] == "suspended" and within["users"] == ["pi"], "the grace period keeps account and users"
    assert services.remove_after_grace(today=datetime.date(2027, 1, 29)) == []

    [queued] = services.remove_after_grace(today=datetime.date(2027, 1, 30))
    assert queued["state"] == "absent" and queued["users"] == []
    assert ops()[-1].target == queued
    assert services.remove_after_grace(today=datetime.date(2027, 2, 1)) == [], "queued once, not every day"
    # The worker removes the account: Slurm's record of its usage goes with it.
    Operation.objects.filter(pk=ops()[-1].pk).update(state="done", finished_at=timezone.now())
    assert services.account_removed_at(w.project, "mesocentre") is not None
    assert services.remove_after_grace(today=datetime.date(2027, 2, 1)) == []
    with pytest.raises(ValidationError, match="removed after its grace period"):
        services.approve_change_request(
            w.operator,
            services.request_change(
                w.pi, decided, change_type="extension", new_ends_on=datetime.date(2028, 1, 1), justification="x"
            ),
        )
    # A renewal brings the account back, with only what it grants: the old hours were used in the old account.
    Allocation.objects.create(
        project=w.project, cpu_core_hours=10, starts_on=datetime.date(2027, 3, 1), ends_on=datetime.date(2027, 12, 31)
    )
    renewed = services.slurm_target(w.project, "mesocentre", today=datetime.date(2027, 3, 1))
    assert renewed["state"] == "active" and renewed["limits"] == {"cpu": 10 * 60, "gres/gpu": 0}
    assert renewed["users"] == ["pi"]


def test_the_grace_period_counts_from_the_day_an_allocation_really_expired(w, decided, settings):
    settings.MESOCENTRE = {**settings.MESOCENTRE, "SLURM_GRACE_DAYS": 30}
    [expired] = services.expire_due(today=datetime.date(2027, 6, 1))  # ended 2026-12-31, noticed in June
    assert expired.expired_on == datetime.date(2027, 6, 1)
    assert services.removal_date(w.project, "mesocentre") == datetime.date(2027, 7, 1)
    assert services.remove_after_grace(today=datetime.date(2027, 6, 1)) == []


def test_a_failed_removal_is_queued_again(w, decided, settings):
    settings.MESOCENTRE = {**settings.MESOCENTRE, "SLURM_GRACE_DAYS": 0}
    services.expire_allocation(w.operator, decided)
    [first] = services.remove_after_grace(today=datetime.date(2030, 1, 1))
    Operation.objects.filter(pk=ops()[-1].pk).update(state="failed", finished_at=timezone.now())
    assert services.remove_after_grace(today=datetime.date(2030, 1, 1)) == [first]


def test_a_change_request_carries_only_what_its_type_changes(w, decided):
    with pytest.raises(ValidationError, match="ask for an extension"):
        services.request_change(
            w.pi, decided, change_type="more_hours", extra_cpu_core_hours=1, new_ends_on=datetime.date(2025, 1, 1),
            justification="x",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="ask for more hours separately"):
        services.request_change(
            w.pi, decided, change_type="extension", extra_cpu_core_hours=1, new_ends_on=datetime.date(2028, 1, 1),
            justification="x",
        )  # fmt: skip


def test_hours_are_granted_only_on_a_known_cluster(w):
    request = services.submit_request(w.pi, w.project, w.round, cpu_core_hours=10, justification="Runs.")
    with pytest.raises(ValidationError) as refused:
        services.decide(
            w.operator, request, cpu_core_hours=10, starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31), cluster="mesocentr",
        )  # fmt: skip
    assert "No cluster is named mesocentr" in str(refused.value.message_dict["cluster"])


def test_closing_a_project_expires_its_allocations_and_starts_the_grace_period(w, decided, settings):
    settings.MESOCENTRE = {**settings.MESOCENTRE, "SLURM_GRACE_DAYS": 30}
    with pytest.raises(PermissionDenied):
        services.close_project(w.student, w.project)
    day = timezone.localdate()  # the push compares with today
    project = services.close_project(w.pi, w.project, today=day)
    decided.refresh_from_db()
    assert (project.status, project.ends_on) == ("closed", day)
    assert (decided.status, decided.expired_on, decided.ends_on) == ("expired", day, day)
    target = ops()[-1].target
    assert target["state"] == "suspended" and target["limits"] == {"cpu": 0, "gres/gpu": 0}
    assert services.removal_date(project, "mesocentre") == day + datetime.timedelta(days=30)
    with pytest.raises(ValidationError, match="already closed"):
        services.close_project(w.operator, project)
    with pytest.raises(ValidationError, match="active project"):
        services.submit_request(w.pi, project, w.round, cpu_core_hours=1, justification="x")
