from django.urls import path

from mesocentre.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
]
