from django.shortcuts import render
from django.utils.translation import gettext as _

from mesocentre.catalogue.models import Offering, Plan, PriceList


def calculator(request):
    """The public cost calculator; the page calls the quote API as the user types."""
    tiers = Plan.objects.filter(offering__kind=Offering.Kind.CLOUD_VM).order_by("order")
    labels = {
        "description": _("Description"),
        "quantity": _("Quantity"),
        "unit": _("Unit"),
        "unit_price": _("Unit price HT"),
        "amount": _("Amount HT"),
        "total_ht": _("Total HT"),
        "vat": _("VAT"),
        "total_ttc": _("Total TTC"),
        "empty": _("Add something to the basket to see its cost."),
        "error": _("The quote could not be computed:"),
    }
    context = {"tiers": tiers, "price_lists": PriceList.objects.visible_to(request.user), "labels": labels}
    return render(request, "billing/calculator.html", context)
