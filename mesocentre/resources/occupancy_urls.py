"""The cloud's occupancy page (``/capacity/occupancy/``): under the capacity's address, computed here, above the
resources whose placements it sums (the capacity app, below resources, cannot read them)."""

from django.urls import path

from mesocentre.resources import views_occupancy

app_name = "occupancy"
urlpatterns = [
    path("occupancy/", views_occupancy.occupancy, name="occupancy"),
]
