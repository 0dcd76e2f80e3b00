from django.urls import path
from rest_framework.routers import SimpleRouter

from mesocentre.billing.api.budget_views import BudgetViewSet
from mesocentre.billing.api.views import InvoiceViewSet, QuoteIssueView, QuoteView

router = SimpleRouter()  # no root view: the quote beside it is no router's
router.register("invoices", InvoiceViewSet)
router.register("budgets", BudgetViewSet)
app_name = "billing-api"
urlpatterns = [
    path("quote/", QuoteView.as_view(), name="quote"),
    path("quotes/issue/", QuoteIssueView.as_view(), name="quote-issue"),
    *router.urls,
]
