"""What a manual task tells the offering's team to do, read from its operation's target.

Generic on purpose: the apps that queue manual operations (orders for rack hosting, storage, firewalling, a PaaS
database, a VM until a hypervisor driver comes) put what the team needs in the target — ``offering``, ``plan``,
``quantities``, anything else — and may give the sentence themselves as ``summary``. The task shows a one-line
summary and every field of the target, in the reader's language (built when read, never stored).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from mesocentre.catalogue.models import Offering

# The target's keys that the summary names, in this order, each with its label.
SUMMARY_KEYS = ("offering", "plan", "quantities")


@dataclass(frozen=True)
class Instructions:
    summary: str
    fields: list[tuple[str, str]]  # (the target's key, its value as text), sorted by key


def as_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {as_text(value[key])}" for key in sorted(value, key=str))
    if isinstance(value, list | tuple):
        return ", ".join(as_text(item) for item in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def kind_label(resource_type: str) -> str:
    """The catalogue's name of the kind of resource ("rack hosting" for ``rack``), else the type as it is."""
    try:
        return str(Offering.Kind(resource_type).label)
    except ValueError:
        return resource_type


def describe(resource_type: str, resource_key: str, target) -> Instructions:
    target = target if isinstance(target, dict) else {}
    fields = [(str(key), as_text(target[key])) for key in sorted(target, key=str) if key != "summary"]
    given = target.get("summary")
    if isinstance(given, str) and given.strip():
        return Instructions(given.strip(), fields)
    summary = _("Set up %(what)s “%(key)s”.") % {"what": kind_label(resource_type), "key": resource_key}
    labels = {"offering": _("offering"), "plan": _("plan"), "quantities": _("quantities")}
    details = [f"{labels[key]}: {as_text(target[key])}" for key in SUMMARY_KEYS if target.get(key) not in (None, "")]
    if details:
        summary = f"{summary} {'; '.join(details)}."
    return Instructions(summary, fields)
