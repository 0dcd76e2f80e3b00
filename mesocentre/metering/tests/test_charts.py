"""The consumption chart's tag: what it hands to the template and to the drawing script, in both languages."""

import datetime
import json
import re
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from mesocentre.metering.templatetags.metering import chart_data, filled

DEC = [datetime.date(2026, 12, d) for d in range(1, 6)]
# Jobs finished on the 1st, 3rd and 4th: the 2nd has none.
SERIES = [(DEC[0], Decimal("10.25")), (DEC[2], Decimal("1500")), (DEC[3], Decimal("2500.04"))]


def test_days_without_jobs_keep_the_day_befores_total():
    assert filled(SERIES) == [
        (DEC[0], Decimal("10.25")),
        (DEC[1], Decimal("10.25")),
        (DEC[2], Decimal("1500")),
        (DEC[3], Decimal("2500.04")),
    ]
    assert filled([]) == []


def test_the_chart_in_english():
    with translation.override("en"):
        chart = chart_data(SERIES, 10_000, "mesocentre", 2)
    payload = chart["payload"]
    assert payload["labels"] == ["1 Dec 2026", "2 Dec 2026", "3 Dec 2026", "4 Dec 2026"]
    assert payload["consumed"] == [10.2, 10.2, 1500.0, 2500.0]
    assert payload["granted"] == 10_000.0
    assert payload["title"] == "Cumulative core-hours on mesocentre"
    assert (payload["x_title"], payload["y_title"]) == ("day", "core-hours")
    assert (payload["consumed_label"], payload["granted_label"]) == ("Consumed", "Granted")
    assert chart["summary"] == "2,500 of 10,000 core-hours consumed, from 1 Dec 2026 to 4 Dec 2026"
    assert chart["rows"][0] == ("1 Dec 2026", "10") and chart["rows"][-1] == ("4 Dec 2026", "2,500")
    assert len(chart["rows"]) == len(SERIES) < len(payload["labels"]), "the table skips the days that repeat"
    assert chart["data_id"] == "usage-chart-2-data"


def test_the_chart_in_french():
    with translation.override("fr"):
        chart = chart_data(SERIES, 10_000, "mesocentre")
    payload = chart["payload"]
    assert payload["labels"] == ["1 déc. 2026", "2 déc. 2026", "3 déc. 2026", "4 déc. 2026"]
    assert payload["consumed"] == [10.2, 10.2, 1500.0, 2500.0]  # figures for the script: numbers, not text
    assert payload["y_title"] == "heures cœur" and payload["granted_label"] == "Accordées"
    summary = chart["summary"].replace("\u202f", " ")
    assert summary.startswith("2 500 heures cœur consommées sur 10 000")
    assert "1 déc. 2026" in summary and "4 déc. 2026" in summary
    assert chart["rows"][-1][1].replace("\u202f", " ") == "2 500"


def test_no_usage_yet_is_said_not_drawn():
    with translation.override("en"):
        chart = chart_data([], 5000, "mesocentre")
    assert chart["rows"] == [] and chart["payload"]["labels"] == []
    assert chart["summary"] == "0 of 5,000 core-hours consumed"


def render(rows) -> str:
    with translation.override("en"):
        return Template("{% load metering %}{% usage_charts rows %}").render(Context({"rows": rows}))


def test_the_page_gets_a_canvas_its_figures_and_a_table_per_cluster_and_the_scripts_once():
    html = render(
        [
            {"cluster": "mesocentre", "series": SERIES, "granted_cpu": 10_000},
            {"cluster": "gpu", "series": SERIES[:2], "granted_cpu": 2_000},
        ]
    )
    canvases = re.findall(r'<canvas data-chart="([^"]+)" role="img" aria-label="([^"]+)"', html)
    assert canvases == [
        ("usage-chart-1-data", "Cumulative core-hours on mesocentre: " + render_summary("2,500", "10,000", "4 Dec")),
        ("usage-chart-2-data", "Cumulative core-hours on gpu: " + render_summary("1,500", "2,000", "3 Dec")),
    ]
    for data_id, _label in canvases:
        figures = re.search(rf'<script id="{data_id}" type="application/json">(.*?)</script>', html, re.S)
        assert figures, f"no json_script {data_id}"
        assert json.loads(figures.group(1))["labels"][0] == "1 Dec 2026"
    # Each table lists the days jobs ended: the 2nd (filled in on the chart) is in neither, the 3rd in both.
    assert html.count("<details>") == 2 and html.count("<td>2 Dec 2026</td>") == 0
    assert html.count("<td>3 Dec 2026</td>") == 2
    assert html.count("vendor/chartjs/chart.umd.min.js") == 1 and html.count("metering/usage_charts.js") == 1
    assert html.index("chart.umd.min.js") < html.index("usage_charts.js")  # Chart.js first: both are deferred


def render_summary(consumed: str, granted: str, end: str) -> str:
    return f"{consumed} of {granted} core-hours consumed, from 1 Dec 2026 to {end} 2026"


def test_charts_of_several_tags_on_one_page_have_their_own_ids_and_the_scripts_once(rf):
    """A dashboard may draw a chart per card, from included templates: ids stay unique across the request."""
    from django.template import engines

    card = engines["django"].from_string("{% load metering %}{% usage_charts card_rows %}")
    page = Template(
        "{% load metering %}{% usage_charts rows %}{% for card_rows in cards %}{% include card %}{% endfor %}"
    )
    with translation.override("en"):
        html = page.render(
            Context(
                {
                    "request": rf.get("/"),
                    "rows": [{"cluster": "mesocentre", "series": SERIES, "granted_cpu": 10}],
                    "cards": [[{"cluster": label, "series": SERIES, "granted_cpu": 20}] for label in ("gpu", "")],
                    "card": card.template,
                }
            )
        )
    assert re.findall(r'data-chart="([^"]+)"', html) == [f"usage-chart-{n}-data" for n in (1, 2, 3)]
    assert len(set(re.findall(r'<script id="([^"]+)"', html))) == 3
    assert html.count("chart.umd.min.js") == 1 and html.count("usage_charts.js") == 1
    assert "Cumulative core-hours on gpu:" in html and 'aria-label="Cumulative core-hours: ' in html


def test_a_cluster_without_usage_has_no_canvas():
    html = render([{"cluster": "mesocentre", "series": [], "granted_cpu": 10_000}])
    assert "<canvas" not in html and "no job has finished yet" in html


def test_the_demo_project_page_has_a_chart_with_its_weeks_of_usage(demo, client):
    from mesocentre.tenancy.models import User

    client.force_login(User.objects.get(username="pi-imft"))
    html = client.get("/projects/imft-jets/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    figures = re.search(r'<script id="usage-chart-1-data" type="application/json">(.*?)</script>', html, re.S)
    assert figures and 'data-chart="usage-chart-1-data"' in html
    payload = json.loads(figures.group(1))
    assert len(payload["labels"]) >= 2 and len(payload["consumed"]) == len(payload["labels"])
    assert payload["consumed"] == sorted(payload["consumed"]) and payload["consumed"][-1] > 0
    assert payload["granted"] > payload["consumed"][-1]  # the demo's imft-jets used 55 % of its hours
