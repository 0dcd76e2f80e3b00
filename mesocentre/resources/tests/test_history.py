"""A resource's states along their one table, and its dated history: what was held on day D, at which size."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mesocentre.catalogue.models import Component, Offering, Plan
from mesocentre.resources import services
from mesocentre.resources.models import Resource, ResourcePeriod

UTC = datetime.UTC
FEB_1 = datetime.datetime(2026, 2, 1, tzinfo=UTC)
FEB_10 = datetime.datetime(2026, 2, 10, 9, 30, tzinfo=UTC)
FEB_14 = datetime.datetime(2026, 2, 14, 12, tzinfo=UTC)
MAR_1 = datetime.datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def vm(w):
    offering = Offering.objects.create(code="vm-test", name="VM", kind="cloud-vm")
    plans = {}
    for tier in ("bronze", "gold"):
        plans[tier] = Plan.objects.create(offering=offering, code=tier, name=tier.title())
        for code, unit, sized_by in (("vcpu", "vCPU", "vcpu"), ("ram", "GB", "ram_gb"), ("disk", "GB", "disk_gb")):
            Component.objects.create(
                plan=plans[tier], code=code, name=code, unit=unit, billing_type="limit", sized_by=sized_by
            )
    resource = Resource.objects.create(project=w.project, offering=offering, name="web", backend="manual")
    return resource, plans


def test_each_state_goes_only_where_the_table_says(vm):
    resource, _plans = vm
    states = [s.value for s in Resource.State]
    for old in states:
        for new in states:
            resource.state = old
            if new in Resource.TRANSITIONS[old]:
                resource.set_state(new)
                assert resource.state == new
            else:
                with pytest.raises(ValidationError) as refused:
                    resource.set_state(new)
                assert "state" in refused.value.message_dict and resource.state == old
    assert Resource.TRANSITIONS[Resource.State.TERMINATED] == frozenset(), "terminated is the end"
    assert all(Resource.State.ERRED in Resource.TRANSITIONS[s] for s in states if s != "terminated" and s != "erred")


def test_a_resize_and_a_tier_change_give_the_size_held_on_any_day(vm):
    resource, plans = vm
    services.start(resource, plans["bronze"], {"vcpu": 2, "ram_gb": "4", "disk_gb": "50"}, FEB_1)
    services.change(resource, plans["bronze"], {"vcpu": 4, "ram_gb": 8, "disk_gb": 50}, FEB_10)  # a resize
    services.change(resource, plans["gold"], {"vcpu": 4, "ram_gb": 8, "disk_gb": 50}, MAR_1)  # a change of tier

    def held(moment):
        [period] = ResourcePeriod.objects.filter(resource=resource).held_at(moment)
        return period.plan.code, period.quantities

    assert held(FEB_1) == ("bronze", {"disk_gb": "50", "ram_gb": "4", "vcpu": "2"})
    assert held(FEB_10 - datetime.timedelta(seconds=1))[1]["vcpu"] == "2"
    assert held(FEB_10) == ("bronze", {"disk_gb": "50", "ram_gb": "8", "vcpu": "4"}), "a period starts where one ends"
    assert held(FEB_14) == held(FEB_10)
    assert held(MAR_1)[0] == "gold" and held(datetime.datetime(2027, 1, 1, tzinfo=UTC))[0] == "gold"
    assert not ResourcePeriod.objects.held_at(FEB_1 - datetime.timedelta(seconds=1)).exists()
    periods = list(resource.periods.values_list("valid_from", "valid_until"))
    assert periods == [(FEB_1, FEB_10), (FEB_10, MAR_1), (MAR_1, None)]

    services.end(resource, datetime.datetime(2026, 6, 30, tzinfo=UTC))
    assert not ResourcePeriod.objects.held_at(datetime.datetime(2026, 7, 1, tzinfo=UTC)).exists()
    assert held(FEB_14)[1]["ram_gb"] == "8", "the history stays"


@pytest.mark.parametrize(
    ("quantities", "says"),
    [
        ({"vcpu": 0, "ram_gb": 4, "disk_gb": 50}, "above 0"),
        ({"vcpu": -2, "ram_gb": 4, "disk_gb": 50}, "above 0"),
        ({"vcpu": "many", "ram_gb": 4, "disk_gb": 50}, "above 0"),
        ({"vcpu": "NaN", "ram_gb": 4, "disk_gb": 50}, "above 0"),
        ({"vcpu": 10**9, "ram_gb": 4, "disk_gb": 50}, "at most"),
        ({"vcpu": 2, "ram_gb": 4, "disk_gb": 50, "gpus": 1}, "no gpus"),
        ({"vcpu": 2, "ram_gb": 4}, "needs disk_gb"),
        ({"vcpu": 2.5, "ram_gb": 4, "disk_gb": 50}, "whole"),
        ({}, "needs vcpu"),
        ([2, 4], "map each"),
    ],
)
def test_a_bad_quantity_is_refused_naming_the_rule_and_nothing_is_written(vm, quantities, says):
    resource, plans = vm
    with pytest.raises(ValidationError) as refused:
        services.start(resource, plans["bronze"], quantities, FEB_1)
    assert says in " ".join(refused.value.message_dict["quantities"])
    assert not resource.periods.exists()


def test_the_same_size_or_a_terminated_resource_changes_nothing(vm):
    resource, plans = vm
    services.start(resource, plans["bronze"], {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}, FEB_1)
    with pytest.raises(ValidationError, match="size already"):
        services.change(resource, plans["bronze"], {"vcpu": "2.0", "ram_gb": 4, "disk_gb": 50}, FEB_10)
    with pytest.raises(ValidationError, match="after the period"):
        services.change(resource, plans["bronze"], {"vcpu": 4, "ram_gb": 4, "disk_gb": 50}, FEB_1)
    Resource.objects.filter(pk=resource.pk).update(state=Resource.State.TERMINATED)
    with pytest.raises(ValidationError, match="terminated"):
        services.change(resource, plans["gold"], {"vcpu": 4, "ram_gb": 4, "disk_gb": 50}, FEB_10)
    assert resource.periods.count() == 1


def test_a_plan_of_another_offering_is_refused(vm, w):
    resource, _plans = vm
    other = Offering.objects.create(code="store-test", name="Storage", kind="storage")
    plan = Plan.objects.create(offering=other, code="std", name="Standard")
    with pytest.raises(ValidationError) as refused:
        services.start(resource, plan, {"storage_gb": 100}, FEB_1)
    assert "plan" in refused.value.message_dict


def test_the_database_keeps_one_open_period_whatever_writes_it(vm):
    resource, plans = vm
    services.start(resource, plans["bronze"], {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}, FEB_1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourcePeriod.objects.bulk_create(
            [
                ResourcePeriod(
                    resource=resource,
                    plan=plans["gold"],
                    quantities={"vcpu": "4", "ram_gb": "4", "disk_gb": "50"},
                    valid_from=FEB_10,
                )
            ]
        )


def test_periods_are_seen_as_their_project_is(vm, w):
    resource, plans = vm
    services.start(resource, plans["bronze"], {"vcpu": 2, "ram_gb": 4, "disk_gb": 50}, FEB_1)
    assert ResourcePeriod.objects.visible_to(w.pi).count() == 1
    assert ResourcePeriod.objects.visible_to(w.outside).count() == 0
    assert Resource.objects.visible_to(w.outside).count() == 0
