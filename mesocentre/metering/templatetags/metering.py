"""An inline SVG chart of consumption against the grant: no JavaScript, readable by screen readers."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, HEIGHT, PAD = 480, 160, 8


@register.inclusion_tag("metering/usage_chart.html")
def usage_chart(series: list, granted, label: str = "") -> dict:
    """``series``: [(day, cumulative core-hours)]; ``granted``: the limit drawn as a line."""
    granted = Decimal(granted or 0)
    top = max([granted] + [value for _day, value in series] + [Decimal(1)])
    points = []
    for index, (_day, value) in enumerate(series):
        x = PAD + (WIDTH - 2 * PAD) * (index / max(len(series) - 1, 1))
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * float(value / top)
        points.append(f"{x:.1f},{y:.1f}")
    granted_y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * float(granted / top)
    consumed = series[-1][1] if series else Decimal(0)
    summary = _("%(consumed)s of %(granted)s core-hours consumed") % {
        "consumed": f"{consumed:.0f}",
        "granted": f"{granted:.0f}",
    }
    return {
        "points": " ".join(points),
        "granted_y": f"{granted_y:.1f}",
        "width": WIDTH,
        "height": HEIGHT,
        "summary": summary,
        "label": label,
        "series": series,
        "pad": PAD,
    }
