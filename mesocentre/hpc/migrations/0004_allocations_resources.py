"""Every allocation already granted becomes a resource of the HPC offering, as ``hpc.holdings`` makes them from now on.

The resource: the HPC offering (by kind; code ``hpc`` first), backend ``slurm``, the project's Slurm account as its
identifier, ok (terminated for an expired allocation). Its periods, on the HPC plan: the hours decided from the
allocation's start (midnight in the platform's time zone); each approved request for more hours adds its hours from
the moment it was approved (its last change; from the start if approved before it); an expired allocation's last
period ends after its end date, or after the day it expired if earlier. Only core-hours and GPU hours above 0 are
held; a span with no core-hours (the HPC plan requires them) has no period.

Without an HPC offering in the catalogue (an installation without its data) nothing is created: the links stay empty,
and ``hpc.holdings.follow`` makes them at each allocation's next change once the offering exists.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from mesocentre.provisioning.slurm.names import account_name_for


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _plan(apps):
    Offering = apps.get_model("catalogue", "Offering")
    Plan = apps.get_model("catalogue", "Plan")
    offerings = Offering.objects.filter(kind="hpc")
    offering = offerings.filter(code="hpc").first() or offerings.order_by("pk").first()
    if offering is None:
        return None
    plans = Plan.objects.filter(offering=offering, components__sized_by="core_hours").distinct()
    return plans.order_by("order", "code").first()


def _steps(allocation, changes, start, end):
    """[(from, core-hours, GPU hours)] of the allocation's grant, each change from its approval."""
    steps = [[start, allocation.cpu_core_hours, allocation.gpu_hours]]
    for change in changes:
        moment = max(start, change.last_updated)
        if end is not None and moment >= end:
            continue  # hours added after it ended were never held
        cpu, gpu = steps[-1][1] + change.extra_cpu_core_hours, steps[-1][2] + change.extra_gpu_hours
        if moment == steps[-1][0]:
            steps[-1][1:] = [cpu, gpu]
        else:
            steps.append([moment, cpu, gpu])
    return steps


def forward(apps, schema_editor):
    Allocation = apps.get_model("hpc", "Allocation")
    ChangeRequest = apps.get_model("hpc", "ChangeRequest")
    Resource = apps.get_model("resources", "Resource")
    ResourcePeriod = apps.get_model("resources", "ResourcePeriod")
    plan = _plan(apps)
    if plan is None:
        return
    for allocation in Allocation.objects.filter(resource__isnull=True).select_related("project").order_by("pk"):
        expired = allocation.status == "expired"
        account = account_name_for(allocation.project.code)
        resource = Resource.objects.create(
            project_id=allocation.project_id,
            offering_id=plan.offering_id,
            name=f"{account}@{allocation.cluster} {allocation.starts_on:%Y-%m-%d}"[:100],
            state="terminated" if expired else "ok",
            backend="slurm",
            backend_id=account,
        )
        start, end = _midnight(allocation.starts_on), None
        if expired:
            last_day = min(allocation.ends_on, allocation.expired_on or allocation.ends_on)
            end = _midnight(last_day + datetime.timedelta(days=1))
        changes = ChangeRequest.objects.filter(allocation=allocation, status="approved", change_type="more_hours")
        steps = _steps(allocation, changes.order_by("last_updated", "pk"), start, end)
        for index, (valid_from, cpu, gpu) in enumerate(steps):
            valid_until = steps[index + 1][0] if index + 1 < len(steps) else end
            if cpu <= 0 or (valid_until is not None and valid_until <= valid_from):
                continue
            quantities = {"core_hours": str(cpu), **({"gpu_hours": str(gpu)} if gpu > 0 else {})}
            ResourcePeriod.objects.create(
                resource=resource, plan=plan, quantities=quantities, valid_from=valid_from, valid_until=valid_until
            )
        allocation.resource = resource
        allocation.last_updated = timezone.now()
        allocation.save(update_fields=["resource", "last_updated"])


def backward(apps, schema_editor):
    """The resources of allocations that no order made go with their periods; the links are emptied."""
    Allocation = apps.get_model("hpc", "Allocation")
    Order = apps.get_model("resources", "Order")
    Resource = apps.get_model("resources", "Resource")
    ResourcePeriod = apps.get_model("resources", "ResourcePeriod")
    linked = list(Allocation.objects.filter(resource__isnull=False).values_list("resource_id", flat=True))
    ordered = set(Order.objects.filter(resource_id__in=linked).values_list("resource_id", flat=True))
    Allocation.objects.filter(resource__isnull=False).update(resource=None)
    made_here = [pk for pk in linked if pk not in ordered]
    ResourcePeriod.objects.filter(resource_id__in=made_here).delete()
    Resource.objects.filter(pk__in=made_here).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hpc", "0003_allocation_resource"),
        ("catalogue", "0005_offering_approvals"),
        ("resources", "0002_orders_quotas_racks"),
    ]

    operations = [migrations.RunPython(forward, backward)]
