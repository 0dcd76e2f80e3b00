"""A backend for the resources' tests: it makes cloud VMs, saying what it made, and can be made to hang mid-apply.

Worker subprocesses load it with ``MESOCENTRE_EXTRA_DRIVERS=mesocentre.resources.tests.drivers``.
"""

import os
import time

from mesocentre.provisioning.drivers import DriftItem, Driver, register

VM_BACKEND = "test-vm"
HANG_ENV = "MESOCENTRE_TEST_VM_HANG"  # seconds apply sleeps before the VM is "made": a worker to kill mid-way


@register
class VmDriver(Driver):
    name = VM_BACKEND
    lease_seconds = 2
    handles = {"cloud-vm": "apply_vm"}

    def apply_vm(self, operation) -> dict:
        time.sleep(float(os.environ.get(HANG_ENV, "0")))
        return {"backend_id": f"vm-{operation.resource_key}", "address": "10.1.2.3", "host": "node-7"}

    def read_actual(self, resource_type: str, key: str) -> dict | None:
        return None

    def reconcile(self) -> list[DriftItem]:
        return []
