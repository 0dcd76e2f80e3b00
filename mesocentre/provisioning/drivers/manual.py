"""The manual backend: a person does the work (rack hosting, storage, firewalling, a PaaS database, a VM until a
hypervisor driver comes) and says so in the portal, the API or the command line.

Applying an operation creates the task for the offering's team, which reads what to do from the target
(``ManualTask.instructions``), and defers: the operation waits, unleased, until someone marks the task done with the
resource's identifier in the backend and notes, or failed with the reason (``services.complete_manual_task``). Its
end then goes through ``execution.end_operation`` like any other, so the outcome handlers (``outcomes.py``) write
the identifier to the resource and the order in that transaction. This is the honest backend for every service that
is not automated yet: the queue, retries, history and audit are the same as for automated ones.
"""

from django.db import IntegrityError, transaction

from mesocentre.catalogue.models import Offering
from mesocentre.provisioning.drivers.base import Deferred, DriftItem, Driver, last_applied_target, register

# Every kind of the catalogue but HPC hours (Slurm's, as accounts) can be done by hand: the resource types are the
# catalogue's kinds (``cloud-vm``, ``storage``, ``rack``, ``firewall``, ``database``…).
MANUAL_TYPES = sorted(kind.value for kind in Offering.Kind if kind != Offering.Kind.HPC)


@register
class ManualDriver(Driver):
    name = "manual"
    lease_seconds = 60
    handles = dict.fromkeys(MANUAL_TYPES, "open_task")

    def open_task(self, operation) -> dict:
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
