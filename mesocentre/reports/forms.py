"""The reports' parameters, read the same way by the pages, the API and the command line: a refusal names the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mesocentre.reports.periods import Period
from mesocentre.reports.usage import AXES

MAX_CLUSTER = 40  # as long as a Slurm ClusterName the platform accepts


def read_usage(params, default_year: int) -> tuple[str, Period]:
    """(axis, period) from ``by``, ``year`` and ``quarter``; ``by`` defaults to theme, ``year`` to ``default_year``."""
    by = (params.get("by") or "theme").strip()
    if by not in AXES:
        raise ValidationError({"by": _("One of: %(axes)s.") % {"axes": ", ".join(AXES)}})
    return by, Period.of(params.get("year") or default_year, params.get("quarter"))


def read_utilisation(params, default_year: int) -> tuple[int, str | None]:
    period = Period.of(params.get("year") or default_year)
    cluster = (params.get("cluster") or "").strip() or None
    if cluster is not None and (len(cluster) > MAX_CLUSTER or not cluster.replace("-", "").replace("_", "").isalnum()):
        raise ValidationError({"cluster": _("A cluster's name: letters, digits, - and _, at most 40.")})
    return period.year, cluster
