"""The demo loader: one mechanism that every app extends with its own ``demo.py``.

Each app that has demo data defines ``load(out)`` in ``<app>/demo.py``; it must be idempotent (use natural
keys and ``update_or_create``) so that running the demo twice duplicates nothing. Apps are loaded in the
order of INSTALLED_APPS, which is also the dependency order.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import transaction


def demo_modules() -> list:
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("mesocentre.") and config.name != "mesocentre.core" and find_spec(name):
            modules.append(import_module(name))
    return modules


def load_demo(out=None) -> None:
    from mesocentre.audit.context import acting_as

    with acting_as(None, "demo loader"), transaction.atomic():
        for module in demo_modules():
            module.load(out)
