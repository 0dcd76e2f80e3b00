"""What every page needs from tenancy: whether to ask the user to accept the usage charter."""

from django.utils.functional import SimpleLazyObject

from mesocentre.tenancy import charter


def charter_banner(request) -> dict:
    """``charter_to_accept``: True when the banner of ``portal/base.html`` asks for the charter. Lazy, and computed
    once per request (one query), only on pages that render the base layout."""

    def ask() -> bool:
        if not hasattr(request, "_charter_to_accept"):
            request._charter_to_accept = charter.must_accept(request.user)
        return request._charter_to_accept

    return {"charter_to_accept": SimpleLazyObject(ask)}
