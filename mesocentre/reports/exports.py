"""The reports as CSV (the same figures as the JSON, machine-readable: plain numbers, codes and names)."""

from __future__ import annotations

import csv
import io

from mesocentre.core.exports import safe_cell
from mesocentre.reports.usage import Report
from mesocentre.reports.utilisation import ClusterYear

USAGE_COLUMNS = ["key", "label", "core_hours", "gpu_hours", "kwh", "core_share", "amount_ht", "amount_share"]
UTILISATION_COLUMNS = ["cluster", "cores", "year", "month", "used_core_hours", "available_core_hours", "utilisation"]

_cell = safe_cell  # the platform's one rule for CSV cells


def usage_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["by", "year", "quarter", *USAGE_COLUMNS])
    head = [report.by, report.period.year, report.period.quarter or ""]
    for row in [*report.rows, report.total]:
        data = row.as_dict()
        writer.writerow([*head, *(_cell(data[column]) for column in USAGE_COLUMNS)])
    return out.getvalue()


def utilisation_csv(clusters: list[ClusterYear]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(UTILISATION_COLUMNS)
    for cluster in clusters:
        data = cluster.as_dict()
        for month in [*data["months"], {"month": "year", **data["total"]}]:
            writer.writerow(
                [_cell(cluster.cluster), cluster.cores or "", cluster.year, month["month"]]
                + [month[c] if month[c] is not None else "" for c in UTILISATION_COLUMNS[4:]]
            )
    return out.getvalue()
