"""What billing adds to a project's page (``projects.registry``): its costs.

Who sees them: the project's PI and managers and the operators (``can_manage``), and the managers of its paying
establishment. A member without one of those roles (a student) sees no amount: the section is left out for them,
as for a reviewer — amounts are the budget holders' business."""

from __future__ import annotations

from mesocentre.billing import costs
from mesocentre.billing.invoice_models import Invoice
from mesocentre.projects.registry import Section, Where, register_section
from mesocentre.tenancy.models import Establishment


def project_context(request, project, can_manage: bool) -> dict | None:
    if can_manage:
        invoices = Invoice.objects.all()  # the project's lines on every invoice, whoever paid them
    elif Establishment.objects.managed_by(request.user).filter(pk=project.paying_establishment_id).exists():
        invoices = Invoice.objects.visible_to(request.user)  # their establishment's invoices only
    else:
        return None
    return {"costs": costs.project_costs(project, invoices)}


def register() -> None:
    register_section(Section("billing", "billing/includes/project_costs.html", project_context, Where.PAGE, order=30))
