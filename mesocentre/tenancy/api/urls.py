from rest_framework.routers import DefaultRouter

from mesocentre.tenancy.api import views

router = DefaultRouter()
router.register("themes", views.ScientificThemeViewSet)
router.register("establishments", views.EstablishmentViewSet)
router.register("laboratories", views.LaboratoryViewSet)
router.register("users", views.UserViewSet)
router.register("memberships", views.MembershipViewSet)
app_name = "tenancy-api"
urlpatterns = router.urls
