from django.urls import path

from mesocentre.tenancy import charter_views, views

app_name = "tenancy"
urlpatterns = [
    path("establishments/", views.establishment_list, name="establishment_list"),
    path("establishments/<slug:code>/", views.establishment_detail, name="establishment_detail"),
    path("people/", views.person_list, name="person_list"),
    path("teams/", views.team_list, name="team_list"),
    path("memberships/<int:pk>/delete/", views.membership_delete, name="membership_delete"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/open/<str:token>/", views.invitation_open, name="invitation_open"),
    path("invitations/<slug:kind>/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path(
        "invitations/<slug:kind>/<int:pk>/<str:answer>/",
        views.invitation_answer,
        name="invitation_answer",
    ),
    path("charter/", charter_views.charter_page, name="charter"),
    path("charter/new/", charter_views.charter_create, name="charter_create"),
    path("account/", views.account, name="account"),
    path("account/email/", views.email_change, name="email_change"),
    path("account/email/<str:token>/", views.email_confirm, name="email_confirm"),
]
