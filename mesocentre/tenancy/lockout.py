"""What django-axes needs from us to lock out repeated login failures: the lockout page.

Settings: AXES_* in mesocentre.settings (limit and cool-off from MESOCENTRE_LOGIN_FAILURE_LIMIT and
MESOCENTRE_LOGIN_COOLOFF_MINUTES). The client's address is ``mesocentre.core.network.client_ip``, which the API's
throttles count by too.
"""

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The portal's page for a locked-out login (the portal's and the admin's), with axes' status (429)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request, "registration/locked_out.html", {"minutes": minutes}, status=settings.AXES_HTTP_RESPONSE_CODE
    )
