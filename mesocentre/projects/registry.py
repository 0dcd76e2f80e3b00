"""What projects tell the apps that hang from them, and what those apps add to a project's pages, without
projects importing them.

A project is the tenant container: HPC allocations, and next resources, datasets and bookings, hang from it and
sit above it. Those apps subscribe here from their ``AppConfig.ready()``. The verbs of projects announce inside
their transaction, so that what a subscriber queues (a Slurm account without a removed member) commits or rolls
back with the change itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from mesocentre.tenancy.registry import announce, subscribe  # one mechanism for every app's announcements

__all__ = ["Event", "Section", "Where", "announce", "register_section", "sections", "subscribe"]


class Event(StrEnum):
    # project=, actor=: its members or roles changed (a backend queues the project's accounts again).
    MEMBERS_CHANGED = "project_members_changed"
    # project= (locked), actor=, today=: the project is closing; a subscriber ends what hangs from it (allocations
    # expire), before the project's own status changes. MEMBERS_CHANGED follows, once it is closed.
    CLOSING = "project_closing"


class Where(StrEnum):
    PAGE = "page"  # a project's page: context(request, project, can_manage)
    LIST = "list"  # the projects' list, above and below its table: context(request)


@dataclass(frozen=True)
class Section:
    """A part of a project's page, or of the projects' list, that an app above projects adds: its template, and the
    function that gives the template its context (a dict, or None to leave the section out)."""

    name: str
    template: str
    context: Callable[..., dict | None]
    where: Where = Where.PAGE
    order: int = 100


_sections: dict[tuple[Where, str], Section] = {}


def register_section(section: Section) -> None:
    """Add ``section`` to every project's page, or to the list (once, however often this is called)."""
    _sections[section.where, section.name] = section


def sections(where: Where, request, *args) -> list[dict]:
    """The sections of a page for this request, in their order: each its ``template`` and its ``context``."""
    shown = []
    for section in sorted((s for s in _sections.values() if s.where == where), key=lambda s: (s.order, s.name)):
        context = section.context(request, *args)
        if context is not None:
            shown.append({"name": section.name, "template": section.template, "context": context})
    return shown


def closing(project, actor, today: datetime.date) -> None:
    announce(Event.CLOSING, project=project, actor=actor, today=today)


def members_changed(project, actor) -> None:
    announce(Event.MEMBERS_CHANGED, project=project, actor=actor)
