"""Drivers dispatch on the resource type: each declares the types it handles; any other fails for good, naming them."""

import pytest
from django.db import transaction

from mesocentre.provisioning import services
from mesocentre.provisioning.drivers import PermanentError, get_driver
from mesocentre.provisioning.models import Operation
from mesocentre.provisioning.tests.drivers import OUTCOME_BACKEND

State = Operation.State


def unsaved(backend: str, resource_type: str, key: str = "k", target=None) -> Operation:
    return Operation(pk=1, backend=backend, resource_type=resource_type, resource_key=key, target=target or {})


def test_a_known_type_goes_to_its_method():
    assert get_driver(OUTCOME_BACKEND).apply(unsaved(OUTCOME_BACKEND, "vm", "a"))["backend_id"] == "vm-a"


@pytest.mark.parametrize(
    ("backend", "known"),
    [
        (OUTCOME_BACKEND, "'vm'"),
        ("slurm", "'account'"),
        ("mail", "'message'"),
        ("manual", "'backup', 'cloud-vm', 'database', 'firewall', 'gpu-booking', 'rack', 'storage'"),
    ],
)
def test_an_unknown_type_is_a_permanent_error_naming_the_known_ones(backend, known):
    with pytest.raises(PermanentError) as refused:
        get_driver(backend).apply(unsaved(backend, "teapot"))
    assert str(refused.value) == (
        f"The {backend} backend does not handle resources of type 'teapot' (it handles: {known})."
    )


def test_the_manual_backend_leaves_hpc_hours_to_slurm():
    assert "hpc" not in get_driver("manual").handles and "account" not in get_driver("manual").handles


def test_an_unknown_type_fails_the_operation_at_once(db):
    with transaction.atomic():
        operation = services.enqueue("manual", "teapot", "t1", {})
    operation = services.run_operation(services.claim_next("w"), "w")
    assert (operation.state, operation.attempts) == (State.FAILED, 1)
    assert "does not handle resources of type 'teapot'" in operation.last_error
    assert not operation.manual_tasks.exists()
