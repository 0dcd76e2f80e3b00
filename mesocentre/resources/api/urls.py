"""The API of resources, orders and quotas (``/api/resources/``)."""

from rest_framework.routers import DefaultRouter

from mesocentre.resources.api import views

router = DefaultRouter()
router.register("resources", views.ResourceViewSet)
router.register("orders", views.OrderViewSet)
router.register("quotas", views.QuotaViewSet)
app_name = "resources-api"
urlpatterns = router.urls
