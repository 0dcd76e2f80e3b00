from django.shortcuts import render

from mesocentre.catalogue.models import Offering
from mesocentre.portal import dashboards


def home(request):
    """A visitor's home is the service offer; a signed-in person's is their dashboard, with the offer after it."""
    offerings = Offering.objects.visible_to(request.user).exclude(status=Offering.Status.RETIRED)
    context = {"offerings": offerings}
    if request.user.is_authenticated:
        context["sections"] = dashboards.sections(request.user)
    return render(request, "portal/home.html", context)
