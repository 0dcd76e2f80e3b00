from django.urls import path

from mesocentre.billing import budget_views, draft_views, invoice_views, views
from mesocentre.billing.documents import views as documents

app_name = "billing"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("quotes/issue/", documents.quote_issue, name="quote-issue"),
    path("invoices/<str:number>/document.<str:format>", documents.invoice_document, name="invoice-document"),
]

# The people's pages of the invoices (issue 14, point 6): managers' invoices and spending, operators' drafts.
urlpatterns += [
    path("invoices/", invoice_views.invoice_list, name="invoice_list"),
    path("invoices/<str:number>/", invoice_views.invoice_detail, name="invoice_detail"),
    path("invoices/<str:number>/credit/", invoice_views.invoice_credit, name="invoice_credit"),
    path("establishment/<slug:code>/", invoice_views.establishment_billing, name="establishment_billing"),
    path("drafts/", draft_views.draft_list, name="draft_list"),
    path("drafts/issue-all/<str:quarter>/", draft_views.draft_issue_all, name="draft_issue_all"),
    path("drafts/<str:quarter>/<slug:code>/", draft_views.draft_detail, name="draft_detail"),
    path("drafts/<str:quarter>/<slug:code>/issue/", draft_views.draft_issue, name="draft_issue"),
]
urlpatterns += [path("budgets/", budget_views.budget_list, name="budget_list")]
