"""The portal's pages of resources, orders and quotas (``/resources/``)."""

from django.urls import path

from mesocentre.resources import views

app_name = "resources"
urlpatterns: list = [
    path("", views.resource_list, name="resource_list"),
    path("<int:pk>/", views.resource_detail, name="resource_detail"),
    path("<int:pk>/change/", views.resource_change, name="resource_change"),
    path("<int:pk>/terminate/", views.resource_terminate, name="resource_terminate"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/approve/", views.order_approve, name="order_approve"),
    path("orders/<int:pk>/reject/", views.order_reject, name="order_reject"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/retry/", views.order_retry, name="order_retry"),
]
