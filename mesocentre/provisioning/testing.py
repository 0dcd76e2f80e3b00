"""The operation queue's help for the tests: a pytest plugin listed in the root ``conftest.py``.

Apart from ``core/testing.py`` because core sits below provisioning, which owns the queue.
"""

import pytest


def deliver_queued_mail(worker_id: str = "tests") -> int:
    """Do what the worker does for the mail backend only, now, in this process; returns the attempts made.

    The other backends' operations are left in the queue, as the test made them."""
    # Imported here: pytest loads this plugin before Django has set up its models.
    from mesocentre.provisioning.models import Operation
    from mesocentre.provisioning.services import claim_next, run_operation

    attempts = 0
    while True:
        others = list(Operation.objects.exclude(backend="mail").values_list("pk", flat=True))
        operation = claim_next(worker_id, exclude=others)
        if operation is None:
            return attempts
        run_operation(operation, worker_id)
        attempts += 1


@pytest.fixture
def deliver_mail():
    """Deliver the e-mails queued so far (``deliver_mail()``), as the worker would."""
    return deliver_queued_mail
