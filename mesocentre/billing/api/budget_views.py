from rest_framework import permissions, viewsets

from mesocentre.billing.api.budget_serializers import BudgetSerializer
from mesocentre.billing.budget_filtersets import BudgetFilterSet
from mesocentre.billing.budget_models import Budget
from mesocentre.core.api import ScopedViewSetMixin


class BudgetViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Budgets per quarter or year of an establishment or a project, with what was spent and the forecast.

    Operators set every budget; an establishment's managers its own and those of the projects it pays for; a
    project's PI and managers their project's. Whoever may set a budget reads it; nobody else sees it."""

    queryset = Budget.objects.select_related("establishment", "project").prefetch_related("alerts")
    serializer_class = BudgetSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = BudgetFilterSet
