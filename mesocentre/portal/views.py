from django.shortcuts import redirect, render
from django.templatetags.static import static

from mesocentre.catalogue.models import Offering


def home(request):
    offerings = Offering.objects.visible_to(request.user).exclude(status=Offering.Status.RETIRED)
    return render(request, "portal/home.html", {"offerings": offerings})


def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon"> says: the SVG icon."""
    return redirect(static("portal/favicon.svg"))
