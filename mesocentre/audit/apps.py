from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mesocentre.audit"
    label = "audit"
    verbose_name = "Audit"
