"""What django-axes needs from us to lock out repeated login failures: the client's address and the lockout page.

Settings: AXES_* in mesocentre.settings (limit and cool-off from MESOCENTRE_LOGIN_FAILURE_LIMIT and
MESOCENTRE_LOGIN_COOLOFF_MINUTES), MESOCENTRE["TRUSTED_PROXY_COUNT"] for the address behind reverse proxies.
"""

import ipaddress
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with N trusted proxies the address the outermost one saw.

    Each proxy appends the address of its peer to X-Forwarded-For, so the last N entries are the proxies' own
    writing and the N-th from the end is the client; whatever comes before it the client may have sent itself.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.MESOCENTRE["TRUSTED_PROXY_COUNT"]
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # the request did not come through every proxy: REMOTE_ADDR is the nearest we know
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote  # a proxy that writes no address is misconfigured: never count by a made-up string


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The portal's page for a locked-out login (the portal's and the admin's), with axes' status (429)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request, "registration/locked_out.html", {"minutes": minutes}, status=settings.AXES_HTTP_RESPONSE_CODE
    )
