"""The portal's pages of resources, orders and quotas (``/resources/``)."""

app_name = "resources"
urlpatterns: list = []
