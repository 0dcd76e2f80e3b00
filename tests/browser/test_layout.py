"""The header holds on one row on a laptop's screen, in both languages, with the longest navigation (an operator's);
on a phone it wraps without anything running off the screen. And the site has an icon."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import LOCALES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The header's parts, each with its box (x, y, width, height, and its vertical middle).
BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect();
                      return {x: r.x, top: r.top, right: r.right, bottom: r.bottom, middle: (r.top + r.bottom) / 2}; };
  const header = document.querySelector(".site-header");
  return {
    header: box(header),
    brand: box(header.querySelector(".brand")),
    items: [...header.querySelectorAll("nav li")].map(li => ({text: li.innerText, ...box(li)})),
    tools: [...header.querySelectorAll(".header-tools > a, .header-tools button")].map(el => ({text: el.innerText, ...box(el)})),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def operator_page(page_factory, portal, language: str, width: int, height: int):
    page = page_factory(LOCALES[language])
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "operator")
    page.goto(f"{portal}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


@pytest.mark.parametrize("language", LOCALES)
def test_the_operators_header_is_one_row_at_1280_pixels(page_factory, portal, language):
    page = operator_page(page_factory, portal, language, 1280, 800)
    boxes = page.evaluate(BOXES)
    items = boxes["items"]
    assert len(items) >= 7, [item["text"] for item in items]  # the operator's whole navigation
    if language == "fr":
        assert {"Établissements", "Journal d’audit", "Opérations"} <= {item["text"] for item in items}
    assert {round(item["top"]) for item in items} == {round(items[0]["top"])}, items  # the items on one line
    for item in items:
        assert "\n" not in item["text"], f"{item['text']!r} is broken over two lines"
    # One row: the brand, the navigation and the tools share the same middle, left to right.
    middles = [boxes["brand"]["middle"], *(i["middle"] for i in items), *(t["middle"] for t in boxes["tools"])]
    assert max(middles) - min(middles) < 4, boxes
    assert boxes["brand"]["right"] <= items[0]["x"] and items[-1]["right"] <= boxes["tools"][0]["x"]
    assert boxes["header"]["bottom"] - boxes["header"]["top"] < 64, boxes["header"]
    assert boxes["overflow"] <= 0


@pytest.mark.parametrize("language", LOCALES)
def test_on_a_phone_the_header_wraps_inside_the_screen(page_factory, portal, language):
    page = operator_page(page_factory, portal, language, 390, 844)
    boxes = page.evaluate(BOXES)
    assert boxes["overflow"] <= 0, "the page scrolls sideways"
    for part in [boxes["brand"], *boxes["items"], *boxes["tools"]]:
        assert 0 <= part["x"] and part["right"] <= 390, part
    for item in boxes["items"]:
        assert "\n" not in item["text"], f"{item['text']!r} is broken over two lines"


def test_the_site_has_an_icon(page_factory, portal):
    page = page_factory("en-GB")
    page.goto(f"{portal}/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    icon = page.request.get(f"{portal}{href}")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml") and b"<svg" in icon.body()
    legacy = page.request.get(f"{portal}/favicon.ico")  # what browsers ask for whatever the page says
    assert legacy.ok and legacy.url.endswith(href) and legacy.body() == icon.body()
