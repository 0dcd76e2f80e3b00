from django.urls import path

from mesocentre.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("requests/<int:pk>/decide/", views.decide, name="decide"),
    path("assignments/<int:pk>/review/", views.review_form, name="review_form"),
    path("memberships/<int:pk>/delete/", views.member_remove, name="member_remove"),
    path("<slug:code>/", views.project_detail, name="project_detail"),
    path("<slug:code>/request/", views.request_create, name="request_create"),
]
