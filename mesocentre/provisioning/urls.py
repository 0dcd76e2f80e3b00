from django.urls import path
from django.views.generic import TemplateView

app_name = "provisioning"
urlpatterns = [path("operations/", TemplateView.as_view(template_name="portal/base.html"), name="operation_list")]
