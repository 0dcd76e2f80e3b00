from django.urls import path

from mesocentre.hpc import views

app_name = "hpc"
urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<slug:code>/", views.call_detail, name="call_detail"),
    path("calls/<slug:code>/rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/budgets/", views.round_budget_create, name="round_budget_create"),
    path("budgets/<int:pk>/delete/", views.round_budget_delete, name="round_budget_delete"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/<int:pk>/review/", views.review_form, name="review_form"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/decide/", views.decide, name="decide"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("allocations/", views.allocation_list, name="allocation_list"),
    path("allocations/<int:pk>/change/", views.change_request_create, name="change_request_create"),
    path("allocations/<int:pk>/status/", views.allocation_status, name="allocation_status"),
    path("change-requests/", views.change_request_list, name="change_request_list"),
    path("change-requests/<int:pk>/decide/", views.change_request_decide, name="change_request_decide"),
    path("projects/<slug:code>/request/", views.request_create, name="request_create"),
]
