from django.urls import path

from mesocentre.tenancy import views

app_name = "tenancy"
urlpatterns = [
    path("establishments/", views.establishment_list, name="establishment_list"),
    path("establishments/<slug:code>/", views.establishment_detail, name="establishment_detail"),
    path("memberships/<int:pk>/delete/", views.membership_delete, name="membership_delete"),
    path("account/", views.account, name="account"),
]
