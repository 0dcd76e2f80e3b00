from django.shortcuts import render

from mesocentre.catalogue.models import Offering


def home(request):
    offerings = Offering.objects.visible_to(request.user).exclude(status=Offering.Status.RETIRED)
    return render(request, "portal/home.html", {"offerings": offerings})
