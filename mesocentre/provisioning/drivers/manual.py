"""The manual backend: a person does the work (rack hosting, firewalling) and says so in the portal.

Applying an operation creates the operators' task and defers: the operation waits, unleased, until an operator
marks the task done or failed (``services.complete_manual_task``). This is the honest backend for every service
that is not automated yet: the queue, retries, history and audit are the same as for automated ones.
"""

from django.db import IntegrityError, transaction

from mesocentre.provisioning.drivers.base import Deferred, DriftItem, Driver, last_applied_target, register


@register
class ManualDriver(Driver):
    name = "manual"
    lease_seconds = 60

    def apply(self, operation) -> dict:
        from mesocentre.provisioning.models import ManualTask

        title = f"{operation.resource_type} {operation.resource_key}"
        # Idempotent: a worker that died after creating the task finds it again instead of making a twin.
        try:
            with transaction.atomic():
                task, _ = ManualTask.objects.get_or_create(
                    operation=operation, status=ManualTask.Status.OPEN, defaults={"title": title[:250]}
                )
        except IntegrityError:
            task = ManualTask.objects.get(operation=operation, status=ManualTask.Status.OPEN)
        raise Deferred({"manual_task": task.pk})

    def read_actual(self, resource_type: str, key: str) -> dict | None:
        """What an operator last confirmed: the target of the newest manual operation marked done."""
        return last_applied_target(self.name, resource_type, key)

    def reconcile(self) -> list[DriftItem]:
        # A person is the source of truth here and nothing can be read back automatically: no drift to report.
        return []
