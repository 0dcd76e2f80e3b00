from rest_framework.routers import DefaultRouter

from mesocentre.audit.api import views

router = DefaultRouter()
router.register("entries", views.AuditEntryViewSet)
app_name = "audit-api"
urlpatterns = router.urls
