from django.urls import path

from mesocentre.billing import budget_views, views

app_name = "billing"
urlpatterns = [path("calculator/", views.calculator, name="calculator")]
urlpatterns += [path("budgets/", budget_views.budget_list, name="budget_list")]
