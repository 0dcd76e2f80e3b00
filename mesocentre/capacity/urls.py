from django.urls import path

from mesocentre.capacity import views

app_name = "capacity"
urlpatterns = [
    path("pods/", views.pod_list, name="pod_list"),
]
