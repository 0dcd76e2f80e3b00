from django.urls import path

from mesocentre.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.offering_list, name="offering_list"),
    path("<slug:code>/", views.offering_detail, name="offering_detail"),
    path("components/<int:pk>/tariffs/", views.tariff_create, name="tariff_create"),
]
