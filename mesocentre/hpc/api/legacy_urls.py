"""The HPC endpoints at their addresses before the split (``/api/projects/calls/``…), for one release beside
``/api/hpc/``: the same viewsets, marked deprecated in the schema and answering a ``Deprecation`` header with a
``Link`` to their successor (RFC 9745, RFC 8288). Remove in the next release."""

from drf_spectacular.utils import extend_schema
from rest_framework.routers import SimpleRouter

from mesocentre.hpc.api.urls import VIEWSETS


def _deprecated(viewset, prefix: str):
    class Legacy(viewset):
        def finalize_response(self, request, response, *args, **kwargs):
            response = super().finalize_response(request, response, *args, **kwargs)
            response["Deprecation"] = "@1796083200"  # 2026-12-01, the release that moved them
            response["Link"] = f'</api/hpc/{prefix}/>; rel="successor-version"'
            return response

    Legacy.__name__ = Legacy.__qualname__ = f"Legacy{viewset.__name__}"
    return extend_schema(deprecated=True)(Legacy)


router = SimpleRouter()  # no root view: /api/projects/ is the projects' own router's
for prefix, viewset in VIEWSETS.items():
    router.register(prefix, _deprecated(viewset, prefix), basename=viewset.queryset.model._meta.model_name)
app_name = "projects-api-legacy"
urlpatterns = router.urls
