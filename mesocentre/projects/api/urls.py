from rest_framework.routers import DefaultRouter

from mesocentre.projects.api import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet)
router.register("memberships", views.ProjectMembershipViewSet)
router.register("invitations", views.ProjectInvitationViewSet)
router.register("publications", views.PublicationViewSet)
router.register("grants", views.GrantViewSet)
app_name = "projects-api"
urlpatterns = router.urls
