from django.shortcuts import render
from django.utils.translation import gettext as _

from mesocentre.billing.calculator import MAX_ITEMS
from mesocentre.catalogue.models import Offering, Plan, PriceList

# Besides its VM rows the page adds at most one item each for HPC, GPU booking, storage, backups and racks.
OTHER_ITEMS_OF_THE_PAGE = 5


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
    context = {
        "tiers": tiers,
        "price_lists": PriceList.objects.visible_to(request.user),
        "labels": labels,
        "max_vm_rows": MAX_ITEMS - OTHER_ITEMS_OF_THE_PAGE,
    }
    return render(request, "billing/calculator.html", context)
