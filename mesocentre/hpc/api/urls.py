from rest_framework.routers import DefaultRouter

from mesocentre.hpc.api import views

VIEWSETS = {
    "calls": views.CallViewSet,
    "rounds": views.RoundViewSet,
    "requests": views.AllocationRequestViewSet,
    "reviews": views.ReviewViewSet,
    "allocations": views.AllocationViewSet,
    "change-requests": views.ChangeRequestViewSet,
}

router = DefaultRouter()
for prefix, viewset in VIEWSETS.items():
    router.register(prefix, viewset)
app_name = "hpc-api"
urlpatterns = router.urls
