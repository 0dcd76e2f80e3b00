from django.urls import path

from mesocentre.billing import views
from mesocentre.billing.documents import views as documents

app_name = "billing"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("quotes/issue/", documents.quote_issue, name="quote-issue"),
    path("invoices/<str:number>/document.<str:format>", documents.invoice_document, name="invoice-document"),
]
