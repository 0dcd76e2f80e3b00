from django.urls import path

from mesocentre.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("requests/<int:pk>/decide/", views.decide, name="decide"),
    path("assignments/<int:pk>/review/", views.review_form, name="review_form"),
    path("memberships/<int:pk>/delete/", views.member_remove, name="member_remove"),
    path("allocations/<int:pk>/change/", views.change_request_create, name="change_request_create"),
    path("allocations/<int:pk>/status/", views.allocation_status, name="allocation_status"),
    path("change-requests/", views.change_request_list, name="change_request_list"),
    path("change-requests/<int:pk>/decide/", views.change_request_decide, name="change_request_decide"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("publications/<int:pk>/delete/", views.publication_delete, name="publication_delete"),
    path("grants/<int:pk>/delete/", views.grant_delete, name="grant_delete"),
    path("<slug:code>/", views.project_detail, name="project_detail"),
    path("<slug:code>/publications/new/", views.publication_create, name="publication_create"),
    path("<slug:code>/grants/new/", views.grant_create, name="grant_create"),
    path("<slug:code>/request/", views.request_create, name="request_create"),
    path("<slug:code>/close/", views.project_close, name="project_close"),
]
