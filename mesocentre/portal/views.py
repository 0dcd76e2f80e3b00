from django.shortcuts import redirect, render
from django.templatetags.static import static

from mesocentre.catalogue.models import Offering
from mesocentre.portal import dashboards


def home(request):
    """A visitor's home is the service offer; a signed-in person's is their dashboard, with the offer after it."""
    offerings = Offering.objects.visible_to(request.user).exclude(status=Offering.Status.RETIRED)
    context = {"offerings": offerings}
    if request.user.is_authenticated:
        context["sections"] = dashboards.sections(request.user)
    return render(request, "portal/home.html", context)


def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon"> says: the SVG icon."""
    return redirect(static("portal/favicon.svg"))
