from django.urls import path

from mesocentre.reports.api.views import UsageReportView, UtilisationReportView

app_name = "reports-api"
urlpatterns = [
    path("usage/", UsageReportView.as_view(), name="usage"),
    path("utilisation/", UtilisationReportView.as_view(), name="utilisation"),
]
