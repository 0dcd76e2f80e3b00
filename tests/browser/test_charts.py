"""The project page's consumption chart, drawn by the vendored Chart.js from the demo's weeks of usage."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import LOCALES, blocking_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXES = {"en": ("day", "core-hours"), "fr": ("jour", "heures cœur")}
# What the script reads back from Chart.js about the chart it drew, and whether the canvas holds painted pixels.
INSPECT = """canvas => {
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return {
    datasets: chart.data.datasets.map(d => ({label: d.label, points: d.data.length})),
    labels: chart.data.labels,
    x: chart.options.scales.x.title.text,
    y: chart.options.scales.y.title.text,
    title: chart.options.plugins.title.text,
    legend: chart.options.plugins.legend.display,
    locale: chart.options.locale,
    painted: painted,
  };
}"""


@pytest.mark.parametrize("language", LOCALES)
def test_the_demo_project_page_draws_its_consumption(page_factory, portal, language):
    page = page_factory(LOCALES[language])
    log_in(page, portal, "pi-imft")
    response = page.goto(f"{portal}/projects/imft-jets/")
    assert response is not None and response.ok
    expect(page.locator("html")).to_have_attribute("lang", language)
    canvas = page.locator("canvas[data-chart]")
    expect(canvas).to_have_count(1)
    figures = json.loads(page.locator(f"#{canvas.get_attribute('data-chart')}").text_content())
    page.wait_for_function("c => window.Chart && Chart.getChart(c)", arg=canvas.element_handle())
    page.wait_for_timeout(500)  # let the (short) drawing animation end
    drawn = canvas.evaluate(INSPECT)
    days = len(figures["labels"])
    assert days >= 2, "the demo's four weeks of usage should give the chart more than one day"
    assert drawn["labels"] == figures["labels"]
    assert drawn["datasets"] == [
        {"label": figures["consumed_label"], "points": days},
        {"label": figures["granted_label"], "points": days},
    ]
    assert drawn["painted"] > 1000, "the canvas is blank"
    assert drawn["locale"] == language and drawn["legend"] is True
    # The axis titles are the page's, in its language (the .po already has these two words).
    assert (drawn["x"], drawn["y"]) == AXES[language] == (figures["x_title"], figures["y_title"])
    assert drawn["title"] == figures["title"] and "mesocentre" in drawn["title"]
    label = canvas.get_attribute("aria-label")
    assert canvas.get_attribute("role") == "img" and figures["labels"][-1] in label
    # The figures for screen readers: a data table with a row for each day jobs ended (the days between repeat the
    # day before), the last being the chart's last day.
    page.locator(".usage-chart details summary").click()
    rows = page.locator(".usage-chart details tbody tr")
    expect(rows.last).to_contain_text(figures["labels"][-1])
    assert 2 <= rows.count() <= days
    found = blocking_violations(page, f"/projects/imft-jets/ with its chart ({language})")
    assert not found, report(found)
