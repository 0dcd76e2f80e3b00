"""The API of resources, orders and quotas (``/api/resources/``)."""

urlpatterns: list = []
