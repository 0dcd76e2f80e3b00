from django.urls import path

from mesocentre.reports import views

app_name = "reports"
urlpatterns = [
    path("usage/", views.usage_page, name="usage"),
    path("utilisation/", views.utilisation_page, name="utilisation"),
]
