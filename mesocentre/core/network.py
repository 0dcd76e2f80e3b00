"""The client's address behind the platform's trusted reverse proxies, for everything that counts per client.

The login lockout (django-axes, AXES_CLIENT_IP_CALLABLE) and the API's anonymous throttles both count by this one
function, so that they agree; MESOCENTRE["TRUSTED_PROXY_COUNT"] (MESOCENTRE_TRUSTED_PROXY_COUNT) says how many
proxies append to X-Forwarded-For.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


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
