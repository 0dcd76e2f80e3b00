from django.urls import path

from mesocentre.provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("operations/", views.operation_list, name="operation_list"),
    path("operations/<int:pk>/", views.operation_detail, name="operation_detail"),
    path("operations/<int:pk>/retry/", views.operation_retry, name="operation_retry"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
]
