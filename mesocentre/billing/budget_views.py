"""The budgets page: the budgets the user may set, with spent, share and forecast, and the form to add one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.billing.budget_filtersets import BudgetFilterSet
from mesocentre.billing.budget_forms import BudgetForm
from mesocentre.billing.budget_models import Budget
from mesocentre.billing.budget_tables import BudgetTable
from mesocentre.core.tables import filtered_table


@login_required
def budget_list(request):
    form = BudgetForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            budget = form.save()
            messages.success(request, _("Budget of %(budget)s set.") % {"budget": budget})
            return redirect("billing:budget_list")
        status = 400
    budgets = Budget.objects.visible_to(request.user).select_related("establishment", "project")
    listed = filtered_table(request, BudgetFilterSet, budgets, BudgetTable, today=timezone.localdate())
    context = {**listed.context(), "title": _("Budgets"), "form": form if form.offers_anything else None}
    return render(request, "billing/budgets/budget_list.html", context, status=max(status, listed.status))
