from rest_framework.routers import DefaultRouter

from mesocentre.catalogue.api import views

router = DefaultRouter()
router.register("price-lists", views.PriceListViewSet)
router.register("offerings", views.OfferingViewSet)
router.register("plans", views.PlanViewSet)
router.register("components", views.ComponentViewSet)
router.register("prices", views.PriceViewSet)
app_name = "catalogue-api"
urlpatterns = router.urls
