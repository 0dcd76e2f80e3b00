"""What the base layout's menu needs from billing: whether the user manages an establishment (the "Invoices" entry)."""

from django.utils.functional import SimpleLazyObject

from mesocentre.tenancy.models import Membership


def billing_menu(request) -> dict:
    """``manages_establishment``: lazy, one query, asked only for a signed-in person who is not an operator."""

    def ask() -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        return Membership.objects.filter(user=user, role=Membership.Role.MANAGER).exists()

    return {"manages_establishment": SimpleLazyObject(ask)}
