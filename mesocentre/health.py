"""What the platform's monitoring reads: /healthz (is the database reachable, how deep is the operation queue) and
/metrics (Prometheus: Django's metrics and the queue's, see mesocentre.provisioning.metrics), the latter not public.
"""

import hmac
import ipaddress

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django_prometheus.exports import ExportToDjangoView

from mesocentre.core.network import client_ip
from mesocentre.core.roles import is_operator


def healthz(request):
    from mesocentre.provisioning.services import queue_depth

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        depth = queue_depth()
    except Exception as exc:  # any database failure means unhealthy, said in the body
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "queue_depth": depth})


def may_read_metrics(request: HttpRequest) -> bool:
    """An address of MESOCENTRE["METRICS_ALLOWED"], the bearer token MESOCENTRE["METRICS_TOKEN"], or an operator."""
    config = settings.MESOCENTRE
    token = config.get("METRICS_TOKEN", "")
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), token.encode()):
        return True
    address = client_ip(request)
    if address:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            ip = None
        # An IPv4 client of a dual-stack server arrives as ::ffff:a.b.c.d: compared as the IPv4 address it is.
        if ip is not None and getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if ip is not None and any(ip in ipaddress.ip_network(net, strict=False) for net in config["METRICS_ALLOWED"]):
            return True
    # Operators see the queue in the portal already; the metrics say no more.
    return is_operator(request.user)


def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return HttpResponseForbidden("Forbidden\n", content_type="text/plain")
    return ExportToDjangoView(request)
