"""Charts of consumption against the grant, drawn by Chart.js (vendored in static/metering/vendor/chartjs).

The tag hands each chart's figures and words, already formatted and translated in the page's language, to
``json_script``; ``static/metering/usage_charts.js`` (a file, no inline script, so a strict CSP stays possible) draws
every ``<canvas data-chart=…>`` from them. Screen readers get the same figures: the canvas is an image whose label
sums it up, and a table under it lists every day.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from mesocentre.core.formatting import day, number

register = template.Library()


def filled(series: list[tuple[datetime.date, Decimal]]) -> list[tuple[datetime.date, Decimal]]:
    """Every day from the first to the last of ``series``: a day without jobs keeps the day before's total, so the
    x axis (labels, not a time scale) stays proportional to time."""
    if not series:
        return []
    totals = dict(series)
    first, last = series[0][0], series[-1][0]
    days, total = [], Decimal(0)
    for offset in range((last - first).days + 1):
        current = first + datetime.timedelta(days=offset)
        total = totals.get(current, total)
        days.append((current, total))
    return days


def chart_data(series: list[tuple[datetime.date, Decimal]], granted, cluster: str, index: int = 1) -> dict:
    """One chart: ``series`` is [(day, cumulative core-hours)], ``granted`` the cumulative limit drawn as a line."""
    days = filled(series)
    granted = Decimal(granted or 0)
    consumed = days[-1][1] if days else Decimal(0)
    title = _("Cumulative core-hours on %(cluster)s") % {"cluster": cluster}
    summary = _("%(consumed)s of %(granted)s core-hours consumed") % {
        "consumed": number(consumed, 0),
        "granted": number(granted, 0),
    }
    if days:
        summary += ", " + _("from %(start)s to %(end)s") % {"start": day(days[0][0]), "end": day(days[-1][0])}
    labels = [day(current) for current, _total in days]
    return {
        "data_id": f"usage-chart-{index}-data",
        "title": title,
        "summary": summary,
        "rows": [(label, number(total, 0)) for label, (_day, total) in zip(labels, days, strict=True)],
        "payload": {
            "title": title,
            "labels": labels,
            "consumed": [float(round(total, 1)) for _day, total in days],
            "granted": float(granted),
            "consumed_label": _("Consumed"),
            "granted_label": _("Granted"),
            "x_title": _("day"),
            "y_title": _("core-hours"),
        },
    }


@register.inclusion_tag("metering/usage_charts.html")
def usage_charts(rows: Iterable[Mapping]) -> dict:
    """One chart per row of ``projects.services.consumption`` (its ``series``, ``granted_cpu`` and ``cluster``);
    the scripts are included once, after the last."""
    return {
        "charts": [
            chart_data(row["series"], row["granted_cpu"], row["cluster"], index)
            for index, row in enumerate(rows, start=1)
        ]
    }
