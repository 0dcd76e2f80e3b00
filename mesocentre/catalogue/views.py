from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from mesocentre.catalogue.models import Offering, PriceList


def offering_list(request):
    offerings = Offering.objects.visible_to(request.user).exclude(status=Offering.Status.RETIRED)
    return render(request, "catalogue/offering_list.html", {"offerings": offerings})


def offering_detail(request, code: str):
    offering = get_object_or_404(Offering.objects.visible_to(request.user), code=code)
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
        plans.append({"plan": plan, "rows": rows})
    context = {"offering": offering, "plans": plans, "price_lists": PriceList.objects.all(), "today": today}
    return render(request, "catalogue/offering_detail.html", context)
