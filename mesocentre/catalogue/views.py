from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesocentre.catalogue.forms import NewTariffForm
from mesocentre.catalogue.models import Component, Offering, PriceList
from mesocentre.catalogue.services import set_price
from mesocentre.core.roles import is_operator


def offering_list(request):
    offerings = Offering.objects.visible_to(request.user).exclude(status=Offering.Status.RETIRED).select_related("team")
    return render(request, "catalogue/offering_list.html", {"offerings": offerings})


def offering_detail(request, code: str):
    offering = get_object_or_404(Offering.objects.visible_to(request.user).select_related("team"), code=code)
    today = timezone.localdate()
    plans = []
    for plan in offering.plans.prefetch_related("components__prices"):
        rows = []
        for component in plan.components.all():
            current = next(
                (
                    p
                    for p in component.prices.all()
                    if p.valid_from <= today and (p.valid_until is None or p.valid_until >= today)
                ),
                None,
            )
            rows.append({"component": component, "price": current, "history": list(component.prices.all())})
        # Orderable (the portal's order form, above catalogue): what is sold by a size, or a hosted rack.
        sized = any(c.sized_by and c.sized_by != Component.SizedBy.FACILITY_KWH for c in plan.components.all())
        plans.append({"plan": plan, "rows": rows, "orderable": sized or offering.kind == Offering.Kind.RACK})
    context = {
        "offering": offering,
        "plans": plans,
        "price_lists": PriceList.objects.all(),
        "today": today,
        "can_edit": is_operator(request.user),
        "tariff_form": NewTariffForm(),
    }
    return render(request, "catalogue/offering_detail.html", context)


@login_required
@require_POST
def tariff_create(request, pk: int):
    """Operators start a new tariff for a component; the current one closes the day before."""
    if not is_operator(request.user):
        raise PermissionDenied
    component = get_object_or_404(Component.objects.visible_to(request.user).select_related("plan__offering"), pk=pk)
    form = NewTariffForm(request.POST)
    if form.is_valid():
        try:
            set_price(component, form.cleaned_data["amount"], form.cleaned_data["valid_from"])
            messages.success(request, _("New tariff recorded for %(c)s.") % {"c": component.name})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, errors)
    return redirect("catalogue:offering_detail", code=component.plan.offering.code)
