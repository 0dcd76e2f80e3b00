from rest_framework.routers import DefaultRouter

from mesocentre.tenancy.api import views
from mesocentre.tenancy.api.invitations import EstablishmentInvitationViewSet

router = DefaultRouter()
router.register("themes", views.ScientificThemeViewSet)
router.register("establishments", views.EstablishmentViewSet)
router.register("laboratories", views.LaboratoryViewSet)
router.register("users", views.UserViewSet)
router.register("memberships", views.MembershipViewSet)
router.register("teams", views.TeamViewSet)
router.register("invitations", EstablishmentInvitationViewSet)
router.register("charter-versions", views.CharterVersionViewSet)
app_name = "tenancy-api"
urlpatterns = router.urls
