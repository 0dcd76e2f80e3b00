"""What projects answer when tenancy asks (``tenancy.registry``): an establishment's code may not be a project's."""

from __future__ import annotations

from mesocentre.projects import naming
from mesocentre.tenancy.registry import Event, subscribe


def establishment_code_problem(establishment, code: str) -> str | None:
    return naming.code_problem(code, establishment=establishment)


def connect() -> None:
    subscribe(Event.ESTABLISHMENT_CODE_CHECK, establishment_code_problem)
