from rest_framework.routers import DefaultRouter

from mesocentre.capacity.api import views

router = DefaultRouter()
router.register("sites", views.SiteViewSet)
router.register("hosts", views.HostViewSet)
app_name = "capacity-api"
urlpatterns = router.urls
