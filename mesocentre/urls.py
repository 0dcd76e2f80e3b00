from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from mesocentre.health import healthz, metrics

api_patterns = [
    path("tenancy/", include("mesocentre.tenancy.api.urls")),
    path("catalogue/", include("mesocentre.catalogue.api.urls")),
    path("capacity/", include("mesocentre.capacity.api.urls")),
    path("billing/", include("mesocentre.billing.api.urls")),
    path("provisioning/", include("mesocentre.provisioning.api.urls")),
    path("projects/", include("mesocentre.projects.api.urls")),
    path("hpc/", include("mesocentre.hpc.api.urls")),
    path("resources/", include("mesocentre.resources.api.urls")),
    path("projects/", include("mesocentre.hpc.api.legacy_urls")),  # the HPC endpoints' old paths, for one release
    path("audit/", include("mesocentre.audit.api.urls")),
    path("reports/", include("mesocentre.reports.api.urls")),
]

urlpatterns = [
    path("", include("mesocentre.portal.urls")),
    path("tenancy/", include("mesocentre.tenancy.urls")),
    path("catalogue/", include("mesocentre.catalogue.urls")),
    path("capacity/", include("mesocentre.capacity.urls")),
    path("capacity/", include("mesocentre.resources.occupancy_urls")),
    path("billing/", include("mesocentre.billing.urls")),
    path("provisioning/", include("mesocentre.provisioning.urls")),
    path("projects/", include("mesocentre.hpc.legacy_urls")),  # the HPC pages' old addresses: redirects
    path("projects/", include("mesocentre.projects.urls")),
    path("hpc/", include("mesocentre.hpc.urls")),
    path("resources/", include("mesocentre.resources.urls")),
    path("audit/", include("mesocentre.audit.urls")),
    path("reports/", include("mesocentre.reports.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]

if "mozilla_django_oidc" in settings.INSTALLED_APPS:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
