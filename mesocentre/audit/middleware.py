from mesocentre.core.actor import acting_as


class AuditActorMiddleware:
    """Records the logged-in user (or the API token's user) as the author of changes made by the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # DRF authenticates tokens later, in the view, and then sets request.user: resolve it at save time.
        with acting_as(_LazyRequestUser(request), "anonymous"):
            return self.get_response(request)


class _LazyRequestUser:
    def __init__(self, request):
        self.request = request

    def resolve(self):
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None
