from django.urls import path

from mesocentre.billing import views

app_name = "billing"
urlpatterns = [path("calculator/", views.calculator, name="calculator")]
