"""The assistant's answer on the order form, before the order is sent: where a VM of the sizes entered would go (the
sites of its primary, standby and backups — a researcher sees sites, the hosts are the operators'), or the minimal
set of rules that forbid it, in words. The answer is ``placements.answer``'s, certified by the checker as every
answer is; the form's preview round-trip brings it to the page (no placement is computed in the browser)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mesocentre.assistant.formats import FormatError
from mesocentre.assistant.placement import SolverError
from mesocentre.assistant.services import Uncertified
from mesocentre.capacity.models import Host, Site
from mesocentre.catalogue.models import Offering, Plan
from mesocentre.resources import placements


def placement_preview(
    plan: Plan, quantities: dict, *, project, resource=None, site=None, group: str = ""
) -> dict | None:
    """``{"feasible", "primary", "standby", "backups", "explanation": [text], "error"}`` (site names) for a VM's plan
    and sizes; None for another offering or an installation that records no host."""
    if plan.offering.kind != Offering.Kind.CLOUD_VM:
        return None
    try:
        result = placements.answer(
            placements.tier_of(plan),
            placements.size_of(quantities),
            site=site.code if site is not None else None,
            group=placements.engine_group(project, resource.anti_affinity_group if resource else group),
            resource=resource,
        )
    except (FormatError, Uncertified, SolverError):
        # Nothing uncertified is shown: the order's own check says the rest when it is sent.
        return {"feasible": None, "error": _("The assistant has no certified answer for these sizes now.")}
    if result is None:
        return None
    if not result["feasible"]:
        return {"feasible": False, "explanation": [item["text"] for item in result["explanation"]]}
    names = dict(Site.objects.values_list("code", "name"))
    host_sites = dict(Host.objects.values_list("name", "site__code"))
    where = result["placement"]
    standby = where["standby_host"]
    if where["host"] not in host_sites or (standby and standby not in host_sites):
        # A host removed since the state was read: no answer rather than a wrong one.
        return {"feasible": None, "error": _("The assistant has no certified answer for these sizes now.")}
    return {
        "feasible": True,
        "primary": names[host_sites[where["host"]]],
        "standby": names[host_sites[standby]] if standby else None,
        "backups": names.get(result.get("backup_site")) if result.get("backup_site") else None,
    }
