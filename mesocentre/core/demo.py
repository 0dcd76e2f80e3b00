"""The demo loader: one mechanism that every app extends with its own ``demo.py``.

Each app that has demo data defines ``load(day, out)`` in ``<app>/demo.py``. ``day`` is the day the demo was first
loaded (stored in ``DemoState``): the app's dates count from it, so that the demo looks alive whenever it was first
loaded and running it again changes nothing. A loader finds its rows by natural key and creates those missing; it
never updates a row that exists, so what users changed since stays as they left it. Apps are loaded in the order of
INSTALLED_APPS, which is also the dependency order, except that a loader which needs the rows another app's loader
makes names that app in its module's ``AFTER`` (app names, e.g. ``("mesocentre.hpc",)``): it is then loaded after
it. The resources' demo does, since the demo's projects are made by the hpc demo (HPC hours were in ``projects``
before the split); core reads the names, it imports nothing of the apps but their ``demo`` modules.
"""

import datetime
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from mesocentre.core.actor import acting_as
from mesocentre.core.models import DemoState


def demo_modules() -> list:
    """The apps' demo modules in INSTALLED_APPS order, each moved after the apps its ``AFTER`` names."""
    found = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("mesocentre.") and config.name != "mesocentre.core" and find_spec(name):
            found[config.name] = import_module(name)
    ordered: list[str] = []

    def place(app: str, waiting: tuple[str, ...] = ()) -> None:
        if app in ordered:
            return
        if app in waiting:
            raise ImproperlyConfigured(f"The demo loaders wait for one another: {' > '.join((*waiting, app))}.")
        for before in getattr(found[app], "AFTER", ()):
            if before in found:
                place(before, (*waiting, app))
        ordered.append(app)

    for app in found:
        place(app)
    return [found[app] for app in ordered]


def load_demo(out=None, first_day: datetime.date | None = None) -> datetime.date:
    """Load the demo; returns the day its dates count from (``first_day`` on a first load, today by default)."""
    with acting_as(None, "demo loader"), transaction.atomic():
        state, _ = DemoState.objects.get_or_create(
            pk=1, defaults={"first_loaded_on": first_day or timezone.localdate()}
        )
        for module in demo_modules():
            module.load(state.first_loaded_on, out)
    return state.first_loaded_on


def month_start(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` away from ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
