"""The verbs of an order: place, approve, reject, cancel, retry, and the backend's outcome that ends it.

Every verb locks the order's row and moves it along ``Order.TRANSITIONS``; the step that makes it ``executing``
queues the backend's operation in the same transaction (``provisioning.services.enqueue``), and the outcome handler
(registered by ``ResourcesConfig.ready``) ends it with the resource's new period in the transaction that ends that
operation. Who may do what is said once, in the ``may_*`` functions; a refusal says why.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.capacity.models import Pod, Site
from mesocentre.catalogue.models import Offering, Plan
from mesocentre.core.roles import is_operator
from mesocentre.projects.models import Project, ProjectMembership
from mesocentre.provisioning import services as provisioning
from mesocentre.resources import placements, quotas, racks, registry
from mesocentre.resources.models import GROUP_MAX, Order, RackReservation, Resource, checked_quantities

# Ending an order as its backend said lives in ``outcomes``; ``orders.finish`` and ``orders.record_outcome`` stay the
# names the demo, the tests and the outcome hooks call.
from mesocentre.resources.outcomes import STEP_OF_TYPE, finish, record_outcome  # noqa: F401
from mesocentre.tenancy.models import Establishment, is_team_member

State = Order.State
MAX_REASON = 2000
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


# --- Who may do what ------------------------------------------------------------------------------------------------


def may_order(user, project: Project) -> bool:
    """Members of the project, and the managers of the establishment that pays for it."""
    if not (user and user.is_authenticated):
        return False
    if is_operator(user):
        return True
    return (
        ProjectMembership.objects.filter(project=project, user=user).exists()
        or Establishment.objects.managed_by(user).filter(pk=project.paying_establishment_id).exists()
    )


def may_approve_for_project(user, project: Project) -> bool:
    """The consumer side: the project's PI or manager, or a manager of its paying establishment (operators approve
    for the datacenter, not for the project, unless they lead it)."""
    if not (user and user.is_authenticated):
        return False
    leads = ProjectMembership.objects.filter(
        project=project, user=user, role__in=(ProjectMembership.Role.PI, ProjectMembership.Role.MANAGER)
    )
    manages = Establishment.objects.filter(
        pk=project.paying_establishment_id, memberships__user=user, memberships__role="manager"
    )
    return leads.exists() or manages.exists()


def may_approve_for_team(user, offering: Offering) -> bool:
    """The provider side: a member of the offering's operations team."""
    return is_team_member(user, offering.team)


def may_cancel(user, order: Order) -> bool:
    if order.state == State.ERRED:
        return may_approve_for_team(user, order.offering)
    return (
        order.created_by_id == getattr(user, "pk", None)
        or may_approve_for_project(user, order.project)
        or may_approve_for_team(user, order.offering)
    )


def may_reject(user, order: Order) -> bool:
    if order.state == State.PENDING_CONSUMER:
        return may_approve_for_project(user, order.project) or may_approve_for_team(user, order.offering)
    return order.state == State.PENDING_PROVIDER and may_approve_for_team(user, order.offering)


def may_approve(user, order: Order) -> bool:
    if order.state == State.PENDING_CONSUMER:
        return may_approve_for_project(user, order.project)
    return order.state == State.PENDING_PROVIDER and may_approve_for_team(user, order.offering)


# --- Placing an order -----------------------------------------------------------------------------------------------


def place(
    actor,
    project: Project,
    order_type: str,
    *,
    plan: Plan | None = None,
    quantities: dict | None = None,
    name: str = "",
    resource: Resource | None = None,
    pod: Pod | None = None,
    site: Site | None = None,
    group: str = "",
) -> Order:
    """Place an order to create (``plan``, ``quantities``, ``name``), change (``resource``, ``plan``,
    ``quantities``) or terminate (``resource``) a resource of ``project``; it goes as far as its author's own
    approvals take it, and is queued at once if nobody else need approve it. Refused, naming the field, before
    anything is written."""
    if order_type not in Order.Type.values:
        raise ValidationError({"type": _("Choose create, update or terminate.")})
    if not may_order(actor, project):
        raise PermissionDenied(_("Only the project's members and its establishment's managers order for it."))
    if project.status != Project.Status.ACTIVE:
        raise ValidationError(
            {"project": _("The project is %(status)s: it orders nothing.") % {"status": project.get_status_display()}}
        )
    # Only a new rack goes somewhere: a change or an end stays where the resource is.
    order = Order(project=project, type=order_type, created_by=actor, pod=pod if order_type == "create" else None)
    if order_type == Order.Type.CREATE:
        _shape_create(order, plan, quantities, name)
    else:
        _shape_change(order, resource, plan, quantities)
    if site is not None:
        if order.offering.kind != Offering.Kind.CLOUD_VM or order_type == Order.Type.TERMINATE:
            raise ValidationError({"site": _("Only a VM's primary is pinned to a site.")})
        order.site = site
    order.group = _checked_group(order, group)
    with transaction.atomic():
        if order.resource_id:
            _lock_resource_free(order.resource)
        order.estimate = registry.estimate(order) if order_type != Order.Type.TERMINATE else {}
        # A VM no host can take now is refused in the assistant's words (and placed, certified, when carried out).
        placements.check_order(order)
        quotas.check(order, lock=True)
        order.save()
        _advance(order, actor)
    return order


def _shape_create(order: Order, plan: Plan | None, quantities, name: str) -> None:
    if plan is None:
        raise ValidationError({"plan": _("Choose a plan of the catalogue.")})
    offering = plan.offering
    if offering.status != Offering.Status.AVAILABLE:
        raise ValidationError({"plan": _("%(offering)s is not on sale.") % {"offering": offering}})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the new resource a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("A name has at most 100 characters.")})
    if order.pod_id and offering.kind != Offering.Kind.RACK:
        raise ValidationError({"pod": _("Only a hosted rack goes in a POD.")})
    order.offering, order.plan, order.name = offering, plan, name
    order.quantities = checked_quantities(plan, quantities)
    if offering.kind == Offering.Kind.RACK:
        racks.check_fits(order.quantities, order.pod)


def _checked_group(order: Order, group) -> str:
    """A new VM's anti-affinity group: a slug of at most 50 characters, named within its project; a change keeps the
    resource's group."""
    group = (group or "").strip() if isinstance(group, str) else group
    if not group:
        return ""
    if order.offering.kind != Offering.Kind.CLOUD_VM or order.type != Order.Type.CREATE:
        raise ValidationError({"group": _("Only a new VM joins an anti-affinity group.")})
    if not isinstance(group, str) or len(group) > GROUP_MAX or not SLUG.fullmatch(group):
        raise ValidationError(
            {"group": _("A group's name is at most %(n)s letters, digits, - or _.") % {"n": GROUP_MAX}}
        )
    return group


def _shape_change(order: Order, resource: Resource | None, plan: Plan | None, quantities) -> None:
    if resource is None:
        raise ValidationError({"resource": _("Choose the resource to change or terminate.")})
    if resource.project_id != order.project_id:
        raise ValidationError({"resource": _("The resource is not the project's.")})
    if resource.state == Resource.State.TERMINATED:
        raise ValidationError({"resource": _("This resource is terminated: it changes no more.")})
    if resource.state != Resource.State.OK:
        raise ValidationError(
            {
                "resource": _("This resource is %(state)s: wait until it is ok.")
                % {"state": resource.get_state_display()}
            }
        )
    order.offering, order.resource = resource.offering, resource
    if order.type == Order.Type.TERMINATE:
        return
    current = resource.periods.filter(valid_until__isnull=True).select_related("plan").first()
    plan = plan or (current.plan if current else None)
    if plan is None or plan.offering_id != resource.offering_id:
        raise ValidationError({"plan": _("Choose a plan of the resource's offering.")})
    order.plan = plan
    order.quantities = checked_quantities(plan, {**(current.quantities if current else {}), **(quantities or {})})
    if current and plan.pk == current.plan_id and order.quantities == current.quantities:
        raise ValidationError({"quantities": _("This is the resource's size already: nothing to change.")})
    if order.offering.kind == Offering.Kind.RACK:
        racks.check_fits(order.quantities, None)


def _lock_resource_free(resource: Resource) -> None:
    """Lock the resource and refuse a second open order on it, or one on a resource that is no longer ok (it was
    read before the lock): one change at a time."""
    state = Resource.objects.select_for_update().values_list("state", flat=True).get(pk=resource.pk)
    if state != Resource.State.OK:
        raise ValidationError(
            {"resource": _("This resource is %(state)s: wait until it is ok.") % {"state": Resource.State(state).label}}
        )
    if Order.objects.filter(resource=resource, state__in=Order.OPEN).exists():
        raise ValidationError({"resource": _("This resource has an order in progress: wait for it to end.")})


# --- Moving an order along ------------------------------------------------------------------------------------------


def _locked(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("offering", "project", "plan", "resource")
        .get(pk=order.pk)
    )


def _advance(order: Order, actor) -> None:
    """Pass the approvals that are not asked or that ``actor`` gives by acting; queue the work once none is left."""
    now = timezone.now()
    if order.state == State.PENDING_CONSUMER and (
        not order.offering.consumer_approval or may_approve_for_project(actor, order.project)
    ):
        if order.offering.consumer_approval:  # nobody approved what nobody was asked to
            order.consumer_reviewed_by, order.consumer_reviewed_at = actor, now
        order.set_state(State.PENDING_PROVIDER)
    if order.state == State.PENDING_PROVIDER and (
        not order.offering.provider_approval or may_approve_for_team(actor, order.offering)
    ):
        if order.offering.provider_approval:
            order.provider_reviewed_by, order.provider_reviewed_at = actor, now
        _execute(order, actor)
    order.save()


def approve(order: Order, actor) -> Order:
    """The consumer side or the team approves, whichever the order waits for; the quotas are checked again under
    their locks, so that of two orders racing for the last of a quota one is refused."""
    with transaction.atomic():
        order = _locked(order)
        if order.state not in Order.PENDING:
            raise ValidationError(
                {"state": _("This order is %(state)s: nothing to approve.") % {"state": order.get_state_display()}}
            )
        if not may_approve(actor, order):
            raise PermissionDenied(_approver_text(order))
        quotas.check(order, lock=True)
        now = timezone.now()
        if order.state == State.PENDING_CONSUMER:
            order.consumer_reviewed_by, order.consumer_reviewed_at = actor, now
            order.set_state(State.PENDING_PROVIDER)
        else:
            order.provider_reviewed_by, order.provider_reviewed_at = actor, now
            _execute(order, actor)
        _advance(order, actor)
    return order


def _approver_text(order: Order) -> str:
    if order.state == State.PENDING_CONSUMER:
        return _("The project's PI or manager, or its establishment's manager, approves this order.")
    return _("A member of the team “%(team)s” approves this order.") % {"team": order.offering.team}


def reject(order: Order, actor, reason: str) -> Order:
    return _refuse(order, actor, reason, State.REJECTED, may_reject)


def cancel(order: Order, actor, reason: str) -> Order:
    return _refuse(order, actor, reason, State.CANCELLED, may_cancel)


def _refuse(order: Order, actor, reason: str, state: str, allowed) -> Order:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": MAX_REASON}})
    with transaction.atomic():
        order = _locked(order)
        if state not in Order.TRANSITIONS[order.state]:
            order.set_state(state)  # refused naming the states, whoever asks
        if not allowed(actor, order):
            raise PermissionDenied(_refusal_text(order, state))
        order.set_state(state)
        order.reason, order.decided_by, order.finished_at = reason, actor, timezone.now()
        if order.resource_id and order.resource.state == Resource.State.ERRED:
            _resolve(order)
        order.save()
    return order


def _resolve(order: Order) -> None:
    """An erred order given up: its resource leaves "erred". One that never came to be ends with its order (its rack
    released; what its kind's executor did undone); one that failed to change or to go stays as it was, ok."""
    registry.lock_for(order)
    resource = Resource.objects.select_for_update().get(pk=order.resource_id)
    if order.type != Order.Type.CREATE:
        resource.set_state(Resource.State.OK)
        resource.save()
        current = resource.periods.filter(valid_until__isnull=True).select_related("plan").first()
        if order.type == Order.Type.UPDATE and order.offering.kind == Offering.Kind.CLOUD_VM and current is not None:
            # The change never came to be: the VM's copies go back to the size it holds (its own room freed first,
            # so a smaller size always fits where the larger one was).
            try:
                placements.place_vm(resource, current.plan, current.quantities)
            except ValidationError:
                pass  # kept where the change put it: the room it holds is at least the VM's
        return
    resource.set_state(Resource.State.TERMINATED)
    resource.save()
    RackReservation.objects.filter(resource=resource, released_at__isnull=True).update(released_at=timezone.now())
    placements.release(resource)
    withdrawal = registry.withdrawal_for(order.offering.kind)
    if withdrawal is not None:
        withdrawal(order)


def _refusal_text(order: Order, state: str) -> str:
    if state == State.CANCELLED:
        return _("Whoever placed this order, the project's PI or manager and the offering's team cancel it.")
    return _("Whoever may approve this order may reject it. %(who)s") % {"who": _approver_text(order)}


def retry(order: Order, actor) -> Order:
    """The team runs an erred order again: the resource goes back to the step that failed and is queued again."""
    with transaction.atomic():
        order = _locked(order)
        if not may_approve_for_team(actor, order.offering):
            raise PermissionDenied(_approver_text(Order(state=State.PENDING_PROVIDER, offering=order.offering)))
        if order.state != State.ERRED:
            raise ValidationError({"state": _("Only an erred order is retried.")})
        quotas.check(order, lock=True)  # an erred order counted nothing meanwhile: it may not pass a quota now
        order.error = ""
        _execute(order, actor)
        order.save()
    return order


# --- Carrying it out ------------------------------------------------------------------------------------------------


def _execute(order: Order, actor) -> None:
    """Queue the backend's work in this transaction: the resource's target, or the kind's own executor's."""
    order.set_state(State.EXECUTING)
    registry.lock_for(order)  # the kind's own rows first (an HPC allocation), then the resource: one lock order
    resource = _resource_for(order)
    if order.offering.kind == Offering.Kind.CLOUD_VM and order.type != Order.Type.TERMINATE:
        # Placed where the assistant says, its answer certified by the checker before anything is written; a refusal
        # (no host can take it now, or an answer the checker refused) errs the order with why, and nothing is placed.
        refusal = placements.try_place_vm(resource, order.plan, order.quantities, order.site)
        if refusal is not None:
            order.set_state(State.ERRED)
            order.error = refusal
            # A VM that was to be made has nothing: erred. One that was to be resized runs on as it was, untouched:
            # ok, its order erred (retried or given up by the team).
            resource.set_state(Resource.State.OK if order.type == Order.Type.UPDATE else Resource.State.ERRED)
            resource.save()
            return
    executor = registry.executor_for(order.offering.kind)
    if executor is not None:
        order.operation = executor(order)
    else:
        order.operation = provisioning.enqueue(
            order.offering.backend,
            order.offering.kind,
            f"resource-{resource.pk}",
            _target(order, resource),
            requested_by=actor,
        )
    if order.operation is None:  # the executor did it all at once
        order.save()
        finish(order, done=True, result={})


def _resource_for(order: Order) -> Resource:
    if order.resource_id is None:
        order.resource = Resource.objects.create(
            project=order.project,
            offering=order.offering,
            name=order.name,
            backend=order.offering.backend,
            anti_affinity_group=order.group,
        )
        if order.offering.kind == Offering.Kind.RACK:
            racks.reserve_rack(order.resource, order.quantities, order.pod)
        return order.resource
    resource = Resource.objects.select_for_update().get(pk=order.resource_id)
    resource.set_state(STEP_OF_TYPE[order.type])
    resource.save()
    order.resource = resource
    if order.type == Order.Type.UPDATE and order.offering.kind == Offering.Kind.RACK:
        # The new size is held from now, in the same rack if it has room, else in another of its POD.
        current = RackReservation.objects.filter(resource=resource).select_related("rack__pod").first()
        racks.reserve_rack(resource, order.quantities, current.rack.pod if current else None)
    return resource


def _target(order: Order, resource: Resource) -> dict:
    """What the backend (or the team, by hand) makes real: the resource's whole desired state."""
    target = {
        "order": order.pk,
        "project": order.project.code,
        "offering": order.offering.code,
        "resource": resource.name,
        "state": "absent" if order.type == Order.Type.TERMINATE else "present",
    }
    if order.type != Order.Type.TERMINATE:
        target.update(plan=order.plan.code, quantities=order.quantities)
    reservation = RackReservation.objects.filter(resource=resource).select_related("rack__pod").first()
    if reservation is not None:
        target["rack"] = str(reservation.rack)
    verbs = {
        Order.Type.CREATE: _("Set up"),
        Order.Type.UPDATE: _("Change"),
        Order.Type.TERMINATE: _("Remove"),
    }
    target["summary"] = f"{verbs[order.type]} {order.offering.code} “{resource.name}” ({order.project.code})"
    return target


def cancel_pending(resource: Resource, reason: str) -> list[Order]:
    """The resource ended by another path (its HPC hours expired or were closed): the orders still waiting for an
    approval on it are cancelled with ``reason`` (each saved, so audited), rather than refused at every approval."""
    cancelled = []
    for order in Order.objects.select_for_update(of=("self",)).filter(resource=resource, state__in=Order.PENDING):
        order.set_state(State.CANCELLED)
        order.reason, order.finished_at = reason, timezone.now()
        order.save()
        cancelled.append(order)
    return cancelled
