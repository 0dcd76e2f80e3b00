"""Charts of consumption against the grant, drawn by Chart.js (vendored in static/metering/vendor/chartjs).

The tag hands each chart's figures and words, already formatted and translated in the page's language, to
``json_script``; ``static/metering/usage_charts.js`` (a file, no inline script, so a strict CSP stays possible) draws
every ``<canvas data-chart=…>`` from them. Screen readers get the same figures: the canvas is an image whose label
sums it up, and a table under it lists the total on each day jobs ended (the chart's days in between repeat the
day before: the table leaves them out, and stays short over a year).
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
    title = _("Cumulative core-hours on %(cluster)s") % {"cluster": cluster} if cluster else _("Cumulative core-hours")
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
        "rows": [(day(current), number(total, 0)) for current, total in series],
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


def _page(context) -> dict:
    """What the page has drawn so far, across every tag of the request (includes and dashboards' cards too): how
    many charts (their ids stay unique) and whether the scripts are in (Chart.js twice would be two libraries, and
    ``Chart.getChart`` of the second would not know the charts of the first)."""
    request = context.get("request")
    if request is None:  # a template rendered outside a request: one render is one page
        return context.render_context.setdefault("usage_charts", {"charts": 0, "scripts": False})
    if not hasattr(request, "_usage_charts"):
        request._usage_charts = {"charts": 0, "scripts": False}
    return request._usage_charts


@register.inclusion_tag("metering/usage_charts.html", takes_context=True)
def usage_charts(context, rows: Iterable[Mapping]) -> dict:
    """One chart per row of ``hpc.services.consumption`` (its ``series``, ``granted_cpu`` and ``cluster``).
    The scripts come with the page's first charts: deferred, they draw every chart once the page is read."""
    page = _page(context)
    charts = []
    for row in rows:
        page["charts"] += 1
        charts.append(chart_data(row["series"], row["granted_cpu"], row["cluster"], page["charts"]))
    scripts = bool(charts) and not page["scripts"]
    page["scripts"] = page["scripts"] or scripts
    return {"charts": charts, "scripts": scripts}
