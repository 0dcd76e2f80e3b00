from rest_framework.routers import DefaultRouter

from mesocentre.capacity.api import views

router = DefaultRouter()
router.register("sites", views.SiteViewSet)
router.register("hosts", views.HostViewSet)
router.register("pods", views.PodViewSet)
router.register("racks", views.RackViewSet)
app_name = "capacity-api"
urlpatterns = router.urls
