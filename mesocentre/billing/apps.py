from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "mesocentre.billing"
    label = "billing"
    verbose_name = "Billing"
