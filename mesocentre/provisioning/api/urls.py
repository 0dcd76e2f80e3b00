from rest_framework.routers import DefaultRouter

from mesocentre.provisioning.api import views

router = DefaultRouter()
router.register("operations", views.OperationViewSet)
router.register("manual-tasks", views.ManualTaskViewSet)
app_name = "provisioning-api"
urlpatterns = router.urls
