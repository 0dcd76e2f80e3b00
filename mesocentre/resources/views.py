"""The portal's pages of resources and orders: the order form, the lists, a resource's and an order's page, the
buttons that move an order along, and the section a project's page shows (``projects.registry``).

Every page reads through ``visible_to`` (what is not the user's is a 404); every button calls the verb of
``orders`` and shows its refusal: a ``ValidationError`` on the form's field (400), a ``PermissionDenied`` as a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.catalogue.models import Plan
from mesocentre.core.roles import is_operator
from mesocentre.core.tables import filtered_table
from mesocentre.projects.models import Project
from mesocentre.resources import orders, registry
from mesocentre.resources.display import size_text
from mesocentre.resources.filtersets import OrderFilterSet, ResourceFilterSet
from mesocentre.resources.forms import OrderForm, orderable_plans
from mesocentre.resources.models import Order, RackReservation, Resource, ResourcePeriod, checked_quantities
from mesocentre.resources.preview import placement_preview
from mesocentre.resources.sizing import dimensions
from mesocentre.resources.tables import OrderTable, ResourceTable
from mesocentre.tenancy.models import Establishment, Team

ORDER_RELATIONS = ("project", "offering", "plan", "resource")


def open_periods() -> Prefetch:
    """Each resource's open period (its plan and size now), as ``open_periods``: one query for the whole page."""
    periods = ResourcePeriod.objects.filter(valid_until__isnull=True).select_related("plan")
    return Prefetch("periods", queryset=periods, to_attr="open_periods")


def resources_with_size(user):
    return Resource.objects.visible_to(user).select_related("project", "offering").prefetch_related(open_periods())


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Ordering -------------------------------------------------------------------------------------------------------


def _estimate_of(form: OrderForm, project: Project, plan: Plan, order_type: str, resource=None) -> tuple[dict, int]:
    """The calculator's estimate of what the form orders (``registry.estimate``) and, for a VM, the assistant's answer
    (``preview.placement_preview``) as ``{"estimate", "placement"}``, with the page's status: 400 when the sizes
    are refused (on their fields). The assistant answers even when the calculator refuses: "more than the largest
    host" is then told by its rules, with the figures."""
    try:
        quantities = checked_quantities(plan, form.quantities())
    except ValidationError as exc:
        form.refuse(exc)
        return {}, 400
    group = form.cleaned_data.get("group", "")
    preview = {"placement": placement_preview(plan, quantities, project=project, resource=resource, group=group)}
    order = Order(project=project, offering=plan.offering, plan=plan, resource=resource, type=order_type)
    order.quantities = quantities
    try:
        preview["estimate"] = registry.estimate(order)
    except ValidationError as exc:
        form.refuse(exc)
        return preview, 400
    return preview, 200


@login_required
def order_new(request):
    """A new resource: ``?plan=`` (from the catalogue) and ``?project=`` preselect them. "Estimate" shows the
    calculator's figures for the quantities given; "Place the order" calls ``orders.place``."""
    plans = orderable_plans()
    plan = plans.filter(pk=_int(request.POST.get("plan") or request.GET.get("plan"))).first()
    if plan is None:
        context = {"plans": [p for p in plans if dimensions(p)], "project_id": _int(request.GET.get("project"))}
        return render(request, "resources/order_choose_plan.html", context)
    initial = {"plan": plan.pk, "project": _int(request.GET.get("project"))}
    form = OrderForm(request.POST or None, user=request.user, plan=plan, initial=initial)
    preview, status = None, 200
    if request.method == "POST":
        status = 400  # the form again with why, unless the order is placed below
        if form.is_valid():
            data = form.cleaned_data
            if "preview" in request.POST:
                preview, status = _estimate_of(form, data["project"], data["plan"], Order.Type.CREATE)
            else:
                try:
                    order = orders.place(
                        request.user,
                        data["project"],
                        Order.Type.CREATE,
                        plan=data["plan"],
                        quantities=form.quantities(),
                        name=data["name"],
                        pod=data.get("pod"),
                        group=data.get("group", ""),
                    )
                except ValidationError as exc:
                    form.refuse(exc)
                else:
                    messages.success(request, _("Order #%(id)s placed: %(state)s.") % _placed(order))
                    return redirect("resources:order_detail", pk=order.pk)
    context = {"form": form, "plan": plan, "resource": None, **(preview or {})}
    return render(request, "resources/order_form.html", context, status=status)


def _placed(order: Order) -> dict:
    return {"id": order.pk, "state": order.get_state_display()}


@login_required
def resource_change(request, pk: int):
    """A change of size or tier: the form with the resource's current plan and quantities."""
    resource = get_object_or_404(resources_with_size(request.user), pk=pk)
    if not orders.may_order(request.user, resource.project):
        raise PermissionDenied(_("Only the project's members and its establishment's managers order for it."))
    current = resource.open_periods[0] if resource.open_periods else None
    plans = Plan.objects.filter(offering=resource.offering).prefetch_related("components")
    asked = plans.filter(pk=_int(request.POST.get("plan"))).first() if request.method == "POST" else None
    plan = asked or (current.plan if current else plans.first())
    initial = {"plan": plan.pk if plan else None, **(current.quantities if current else {})}
    form = OrderForm(request.POST or None, user=request.user, plan=plan, resource=resource, initial=initial)
    preview, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if "preview" in request.POST:
                preview, status = _estimate_of(form, resource.project, data["plan"], Order.Type.UPDATE, resource)
            else:
                try:
                    order = orders.place(
                        request.user,
                        resource.project,
                        Order.Type.UPDATE,
                        plan=data["plan"],
                        quantities=form.quantities(),
                        resource=resource,
                    )
                except ValidationError as exc:
                    form.refuse(exc)
                else:
                    messages.success(request, _("Order #%(id)s placed: %(state)s.") % _placed(order))
                    return redirect("resources:order_detail", pk=order.pk)
    context = {"form": form, "plan": plan, "resource": resource, "current": current, **(preview or {})}
    return render(request, "resources/order_form.html", context, status=status)


@login_required
@require_POST
def resource_terminate(request, pk: int):
    resource = get_object_or_404(Resource.objects.visible_to(request.user).select_related("project"), pk=pk)
    try:
        order = orders.place(request.user, resource.project, Order.Type.TERMINATE, resource=resource)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("resources:resource_detail", pk=pk)
    messages.success(request, _("Order #%(id)s placed: %(state)s.") % _placed(order))
    return redirect("resources:order_detail", pk=order.pk)


# --- Resources ------------------------------------------------------------------------------------------------------


@login_required
def resource_list(request):
    listed = filtered_table(request, ResourceFilterSet, resources_with_size(request.user), ResourceTable)
    context = {**listed.context(), "title": _("Resources")}
    return render(request, "resources/resource_list.html", context, status=listed.status)


@login_required
def resource_detail(request, pk: int):
    resource = get_object_or_404(resources_with_size(request.user), pk=pk)
    periods = resource.periods.select_related("plan").order_by("-valid_from")
    history = [{"period": p, "size": size_text(p.quantities)} for p in periods]
    resource_orders = resource.orders.select_related("plan", "created_by").order_by("-pk")
    context = {
        "resource": resource,
        "current": resource.open_periods[0] if resource.open_periods else None,
        "history": history,
        "orders": [{"order": o, "size": size_text(o.quantities)} for o in resource_orders],
        "reservation": RackReservation.objects.filter(resource=resource).select_related("rack__pod").first(),
        "may_order": orders.may_order(request.user, resource.project),
    }
    return render(request, "resources/resource_detail.html", context)


# --- Orders ---------------------------------------------------------------------------------------------------------


@login_required
def order_list(request):
    """What ``Order.objects.visible_to`` gives, filtered (``OrderFilterSet``): a team's queue is
    ``?team=<id>&state=pending_provider``, an establishment's orders ``?establishment=<id>``."""
    visible = Order.objects.visible_to(request.user).select_related(*ORDER_RELATIONS)
    listed = filtered_table(request, OrderFilterSet, visible, OrderTable)
    context = {
        **listed.context(),
        "title": _("Orders"),
        "teams": list(Team.objects.of(request.user).order_by("name")),
        "establishments": [] if is_operator(request.user) else list(Establishment.objects.managed_by(request.user)),
        "pending_provider": Order.State.PENDING_PROVIDER,
    }
    return render(request, "resources/order_list.html", context, status=listed.status)


def _visible_order(request, pk: int) -> Order:
    visible = Order.objects.visible_to(request.user).select_related(
        *ORDER_RELATIONS,
        "offering__team",
        "project__paying_establishment",
        "created_by",
        "consumer_reviewed_by",
        "provider_reviewed_by",
        "decided_by",
    )
    return get_object_or_404(visible, pk=pk)


def _order_page(request, order: Order, status: int = 200, refusal: dict | None = None):
    user = request.user
    context = {
        "order": order,
        "size": size_text(order.quantities),
        "estimate": order.estimate or None,
        "may_approve": orders.may_approve(user, order),
        "may_reject": order.state in Order.PENDING and orders.may_reject(user, order),
        "may_cancel": Order.State.CANCELLED in Order.TRANSITIONS[order.state] and orders.may_cancel(user, order),
        "may_retry": order.state == Order.State.ERRED and orders.may_approve_for_team(user, order.offering),
        "refusal": refusal or {},
    }
    return render(request, "resources/order_detail.html", context, status=status)


@login_required
def order_detail(request, pk: int):
    return _order_page(request, _visible_order(request, pk))


def _act(request, pk: int, verb, done: str, *, reason: bool = False, action: str = ""):
    """POST a verb of ``orders`` on an order: back to its page, or the page again with the refusal (400)."""
    order = _visible_order(request, pk)
    try:
        if reason:
            verb(order, request.user, request.POST.get("reason", ""))
        else:
            verb(order, request.user)
    except ValidationError as exc:
        messages_of = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        refusal = {"action": action, "errors": [m for ms in messages_of.values() for m in ms]}
        return _order_page(request, _visible_order(request, pk), status=400, refusal=refusal)
    messages.success(request, done)
    return redirect("resources:order_detail", pk=pk)


@login_required
@require_POST
def order_approve(request, pk: int):
    return _act(request, pk, orders.approve, _("Order approved."), action="approve")


@login_required
@require_POST
def order_reject(request, pk: int):
    return _act(request, pk, orders.reject, _("Order rejected."), reason=True, action="reject")


@login_required
@require_POST
def order_cancel(request, pk: int):
    return _act(request, pk, orders.cancel, _("Order cancelled."), reason=True, action="cancel")


@login_required
@require_POST
def order_retry(request, pk: int):
    order = _visible_order(request, pk)
    # The team retries: anyone else is refused before the order's state is looked at.
    if not orders.may_approve_for_team(request.user, order.offering):
        raise PermissionDenied(_("A member of the team “%(team)s” retries this order.") % {"team": order.offering.team})
    return _act(request, pk, orders.retry, _("The order is executed again."), action="retry")


# --- A project's page -----------------------------------------------------------------------------------------------


def project_section(request, project: Project, can_manage: bool) -> dict:
    """A project's resources (with their plan and size now) and its open orders: three queries, whatever their
    number."""
    held = project.resources.select_related("offering").prefetch_related(open_periods()).order_by("name", "pk")
    rows = []
    for resource in held:
        period = resource.open_periods[0] if resource.open_periods else None
        rows.append({"resource": resource, "period": period, "size": size_text(period.quantities) if period else "—"})
    waiting = Order.objects.filter(project=project, state__in=Order.OPEN).select_related("offering", "plan", "resource")
    return {
        "resources": rows,
        "orders": [{"order": o, "size": size_text(o.quantities)} for o in waiting.order_by("-pk")],
        "may_order": project.status == Project.Status.ACTIVE and orders.may_order(request.user, project),
    }
