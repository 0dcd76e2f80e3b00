"""The order form: for which project, which plan, the new resource's name, and the quantities the plan takes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mesocentre.capacity.models import Pod
from mesocentre.catalogue.models import Offering, Plan
from mesocentre.core.formatting import localized
from mesocentre.core.forms import add_refusal
from mesocentre.core.roles import is_operator
from mesocentre.projects.models import Project
from mesocentre.resources.sizing import dimensions
from mesocentre.tenancy.models import Establishment


def orderable_projects(user):
    """The active projects ``user`` may order for (``orders.may_order``, asked of the database in one query)."""
    projects = Project.objects.filter(status=Project.Status.ACTIVE).select_related("paying_establishment")
    if is_operator(user):
        return projects
    return projects.filter(
        Q(memberships__user=user) | Q(paying_establishment__in=Establishment.objects.managed_by(user))
    ).distinct()


def orderable_plans():
    """The plans of the offerings on sale, with their components (``sizing.dimensions`` reads them)."""
    return (
        Plan.objects.filter(offering__status=Offering.Status.AVAILABLE)
        .select_related("offering")
        .prefetch_related("components")
        .order_by("offering__code", "order", "code")
    )


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{localized(obj.offering, 'name')} — {localized(obj, 'name')}"


class OrderForm(forms.Form):
    """A new resource (``resource`` None) or a change of one (its plan and quantities; project and name fixed).

    The quantity fields are named by their dimension's code (``vcpu``, ``storage_gb``…), the plan's
    (``sizing.dimensions``); they accept 0 here and leave the rule to ``orders.place``, whose refusal lands on the
    field it names (``add_refusal``)."""

    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    plan = PlanChoiceField(queryset=Plan.objects.none(), label=_("Plan"))
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The new resource's name."))
    pod = forms.ModelChoiceField(
        queryset=Pod.objects.all(),
        required=False,
        label=_("POD"),
        empty_label=_("any POD"),
        help_text=_("Where the rack goes; the hosting team picks the rack."),
    )

    group = forms.CharField(
        label=_("Anti-affinity group"),
        max_length=50,
        required=False,
        validators=[validate_slug],
        help_text=_("Optional: VMs of your project in one group never share a host."),
    )

    def __init__(self, *args, user, plan: Plan | None, resource=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.dimensions = dimensions(plan) if plan is not None else []
        if resource is not None or plan is None or plan.offering.kind != Offering.Kind.CLOUD_VM:
            del self.fields["group"]  # a new VM joins a group; a change keeps its resource's
        if resource is not None:
            del self.fields["project"], self.fields["name"], self.fields["pod"]
            self.fields["plan"].queryset = Plan.objects.filter(offering=resource.offering).select_related("offering")
        else:
            self.fields["project"].queryset = orderable_projects(user)
            same_offering = orderable_plans().filter(offering=plan.offering) if plan else orderable_plans()
            self.fields["plan"].queryset = same_offering
            if plan is None or plan.offering.kind != Offering.Kind.RACK:
                del self.fields["pod"]
        for dimension in self.dimensions:
            self.fields[dimension.code] = forms.DecimalField(
                label=dimension.label if dimension.label == dimension.unit else f"{dimension.label} ({dimension.unit})",
                required=dimension.required,
                max_digits=20,
                widget=forms.NumberInput(attrs={"min": "0", "step": "1" if dimension.whole else "any"}),
            )

    @property
    def quantity_fields(self):
        return [self[d.code] for d in self.dimensions]

    def quantities(self) -> dict[str, str]:
        data = self.cleaned_data
        return {d.code: str(data[d.code]) for d in self.dimensions if data.get(d.code) is not None}

    def refuse(self, exc: ValidationError) -> None:
        """A service's refusal on its field; a refusal of the quantities on the quantity it names (its messages
        start with the quantity's code: "vcpu: a whole number.")."""
        if not hasattr(exc, "error_dict") or "quantities" not in exc.error_dict:
            add_refusal(self, exc)
            return
        rest = {k: v for k, v in exc.error_dict.items() if k != "quantities"}
        for error in exc.error_dict["quantities"]:
            message = " ".join(error.messages)
            field = next((d.code for d in self.dimensions if message.startswith(f"{d.code}:")), None)
            self.add_error(field, error)
        if rest:
            add_refusal(self, ValidationError(rest))
