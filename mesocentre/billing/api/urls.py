from django.urls import path

from mesocentre.billing.api.views import QuoteView

app_name = "billing-api"
urlpatterns = [path("quote/", QuoteView.as_view(), name="quote")]
