"""/healthz: is the database reachable, how deep is the operation queue."""

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    from mesocentre.provisioning.services import queue_depth

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        depth = queue_depth()
    except Exception as exc:  # any database failure means unhealthy, said in the body
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "queue_depth": depth})
