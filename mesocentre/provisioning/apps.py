from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "mesocentre.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning"
