from mesocentre.provisioning.drivers.base import (
    Deferred,
    DriftItem,
    Driver,
    DriverError,
    NotReady,
    PermanentError,
    get_driver,
    load_drivers,
    register,
    registered_backends,
)

__all__ = [
    "Deferred",
    "DriftItem",
    "Driver",
    "DriverError",
    "NotReady",
    "PermanentError",
    "get_driver",
    "load_drivers",
    "register",
    "registered_backends",
]
