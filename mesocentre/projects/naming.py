"""How a project (or establishment) code becomes a Slurm account name: Slurm's own rules, in one place.

The rules and the mapping live with the Slurm client (``provisioning.slurm.names``): a valid code is kept, any
other is slugged, cut and suffixed with a hash of the original, so it is stable and distinct. Establishments and
projects share one namespace of accounts (an establishment's account is its projects' parent), so a code whose
account another establishment or project already has is refused, and so are the names Slurm or the system keep.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from mesocentre.core.names import is_system_name
from mesocentre.projects.models import Project
from mesocentre.provisioning.slurm.names import RESERVED, account_name_for, is_valid_account
from mesocentre.tenancy.models import Establishment

# The portal's pages that sit where a project's page would (/projects/<code>/): no project may take their word.
PAGE_WORDS = frozenset({"new", "calls", "assignments", "change-requests", "rounds", "requests", "memberships",
                        "members", "allocations", "budgets", "publications", "grants"})  # fmt: skip


def is_valid(name: str) -> bool:
    return is_valid_account(name)


def account_name(code: str) -> str:
    return account_name_for(code)


def reserved_names() -> set[str]:
    """sacctmgr's words and every declared cluster's root account."""
    from mesocentre.provisioning.slurm.clusters import declared_clusters

    return set(RESERVED) | {spec.root_account for spec in declared_clusters()}


def code_problem(code: str, *, establishment=None, project=None) -> str | None:
    """Why ``code`` cannot name the Slurm account of ``establishment`` or ``project`` (the one being saved), or
    None when it can."""
    lowered = code.lower()
    if is_system_name(lowered) or lowered in reserved_names():
        return _("%(code)s is a name Slurm or the system keeps for itself: choose another code.") % {"code": code}
    if establishment is None and lowered in PAGE_WORDS:  # an establishment's page lives elsewhere
        return _("%(code)s names one of the portal's pages: choose another code.") % {"code": code}
    account = account_name(code)
    others = Establishment.objects.exclude(pk=getattr(establishment, "pk", None)).values_list("code", flat=True)
    if any(account_name(other) == account for other in others):
        return _("The Slurm account %(account)s already belongs to an establishment: choose another code.") % {
            "account": account
        }
    if Project.objects.exclude(pk=getattr(project, "pk", None)).filter(code__in={code, account}).exists():
        return _("The Slurm account %(account)s already belongs to a project: choose another code.") % {
            "account": account
        }
    return None
