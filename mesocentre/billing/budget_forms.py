from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mesocentre.billing.budget_models import Budget
from mesocentre.core.roles import is_operator
from mesocentre.projects.models import Project
from mesocentre.tenancy.models import Establishment


class BudgetForm(forms.ModelForm):
    """A new budget, of a holder the user may set one for (``budget_models.may_set``): the choices offer no other."""

    class Meta:
        model = Budget
        fields = ["establishment", "project", "period", "year", "quarter", "amount_ht"]
        help_texts = {"establishment": _("An establishment or a project, not both.")}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "budget_%s")  # apart from the filters' fields of the same names
        super().__init__(*args, **kwargs)
        managed = Establishment.objects.managed_by(user)
        self.fields["establishment"].queryset = managed
        projects = Project.objects.all()
        if not is_operator(user):
            projects = projects.filter(
                Q(paying_establishment__in=managed) | Q(pk__in=Project.objects.managed_by(user).values("pk"))
            )
        self.fields["project"].queryset = projects.order_by("code")
        self.fields["year"].widget.attrs.update(min=2000, max=2999)
        self.fields["quarter"].widget.attrs.update(min=1, max=4)

    @property
    def offers_anything(self) -> bool:
        return self.fields["establishment"].queryset.exists() or self.fields["project"].queryset.exists()
