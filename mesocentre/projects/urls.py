from django.urls import path

from mesocentre.projects import views

app_name = "projects"
# Every page of a single word sits before <slug:code>/, and its word is one no project may take (naming.PAGE_WORDS).
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("members/", views.member_list, name="member_list"),
    path("memberships/<int:pk>/delete/", views.member_remove, name="member_remove"),
    path("publications/<int:pk>/delete/", views.publication_delete, name="publication_delete"),
    path("grants/<int:pk>/delete/", views.grant_delete, name="grant_delete"),
    path("<slug:code>/", views.project_detail, name="project_detail"),
    path("<slug:code>/publications/new/", views.publication_create, name="publication_create"),
    path("<slug:code>/grants/new/", views.grant_create, name="grant_create"),
    path("<slug:code>/close/", views.project_close, name="project_close"),
]
