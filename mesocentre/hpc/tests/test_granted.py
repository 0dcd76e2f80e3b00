"""One definition of "granted" for the Slurm limit, the consumption page and the notifications, and one place where
a Slurm target is validated and queued."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mesocentre.core.testing import WORLD_NOW
from mesocentre.hpc import notifications, services
from mesocentre.hpc.accounts import queue_target
from mesocentre.hpc.models import Allocation, SentNotification
from mesocentre.metering.models import UsageRecord
from mesocentre.provisioning.models import Operation

DAY = datetime.timedelta(days=1)


def _remove_account(w) -> None:
    """The worker removed the project's account on the cluster (the grace period was over)."""
    Operation.objects.create(
        backend="slurm",
        resource_type="account",
        resource_key="mesocentre:jets",
        target={"state": "absent"},
        state=Operation.State.DONE,
        finished_at=timezone.now(),
    )


def _usage(core_hours: int) -> None:
    """A job of ``core_hours`` that ended half a day ago."""
    now = timezone.now()
    UsageRecord.objects.create(
        source="slurm:mesocentre",
        external_id=f"job-{core_hours}",
        account="jets",
        user_login="pi",
        started_at=now - DAY,
        ended_at=now - DAY / 2,
        cpu_seconds=core_hours * 3600,
    )


def test_the_limit_the_page_and_the_notifications_count_the_same_hours(w, decided, time_machine, settings):
    assert services.slurm_target(w.project)["account"] == "jets"
    # The first allocation ended and its account was removed; a renewal brings it back with 1 000 hours only.
    _usage(90_000)  # used in the old account, before its removal: gone with it, as its grant is
    services.expire_allocation(w.operator, decided)
    time_machine.move_to(WORLD_NOW + DAY, tick=False)
    _remove_account(w)
    time_machine.move_to(WORLD_NOW + 2 * DAY, tick=False)
    Allocation.objects.create(
        project=w.project, cpu_core_hours=1_000, starts_on=timezone.localdate(), ends_on=datetime.date(2026, 12, 31)
    )
    # Not started yet: a renewal scheduled tomorrow is in none of the three.
    Allocation.objects.create(
        project=w.project,
        cpu_core_hours=50_000,
        starts_on=timezone.localdate() + DAY,
        ends_on=datetime.date(2026, 12, 31),
    )
    w.project.refresh_from_db()
    limit = services.slurm_target(w.project, "mesocentre")["limits"]["cpu"] // 60
    [row] = services.consumption(w.project)
    assert limit == row["granted_cpu"] == 1_000, "the hours of the removed account count in neither"

    _usage(850)  # 85 % of the 1 000 granted since the removal (0.85 % of everything ever granted)
    w.project.refresh_from_db()
    [row] = services.consumption(w.project)
    assert row["consumed_cpu"] == 850, "consumed over the same span as granted: since the removal"
    assert row["series"][-1][1] == 850
    notifications._consumption()
    sent = SentNotification.objects.filter(key__startswith="usage-").values_list("key", flat=True)
    assert list(sent) == ["usage-80:jets:mesocentre:1000"], "80 % of what the page calls granted, not 100 %"


def test_a_suspended_grant_is_still_granted_but_the_limit_is_zero(w, decided):
    services.suspend_allocation(w.operator, decided)
    w.project.refresh_from_db()
    [row] = services.consumption(w.project)
    assert row["granted_cpu"] == 100_000
    assert services.slurm_target(w.project)["limits"] == {"cpu": 0, "gres/gpu": 0}
    _usage(100_000)
    notifications._consumption()
    assert not SentNotification.objects.filter(key__startswith="usage-").exists(), "a suspended grant is not told"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"account": "Has Spaces"}, "slurm"),
        ({"users": ["ok", "not a login"]}, "slurm"),
        ({"state": "deleted"}, "slurm"),
        ({"limits": {"cpu": 1.5}}, "slurm"),
        ({"limits": {"cpu": 10**18}}, "limits"),
    ],
)
def test_a_target_slurm_would_refuse_is_refused_when_it_is_queued(w, decided, change, field):
    before = Operation.objects.count()
    target = {**services.slurm_target(w.project), **change}
    with pytest.raises(ValidationError) as excinfo:
        queue_target(target, w.operator)
    assert field in excinfo.value.message_dict
    assert Operation.objects.count() == before, "nothing is queued"


def test_a_queued_target_is_in_its_normal_form_under_its_own_key(w, decided):
    target = {**services.slurm_target(w.project), "users": ["pi", "pi"]}
    operation = queue_target(target, w.operator)
    assert operation.resource_key == "mesocentre:jets"
    assert operation.target["users"] == ["pi"]


def test_one_project_slurm_would_refuse_does_not_stop_the_daily_chores(w, decided, caplog):
    """A cluster name no model checks (a typo in an import) makes one target invalid: the others are queued."""
    Allocation.objects.filter(pk=decided.pk).update(cluster="Bad Cluster")
    other = services.create_project(
        w.operator,
        pi=w.pi,
        code="waves",
        title="Waves",
        laboratory=w.lab,
        paying_establishment=w.cnrs,
        theme=w.theme,
        starts_on=datetime.date(2026, 1, 1),
    )
    Allocation.objects.create(
        project=other, cpu_core_hours=10, starts_on=timezone.localdate(), ends_on=datetime.date(2026, 12, 31)
    )
    queued = services.start_due()
    assert [t["account"] for t in queued] == ["waves"]
    assert "Slurm target of jets on Bad Cluster not queued" in caplog.text
