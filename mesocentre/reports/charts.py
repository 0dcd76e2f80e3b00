"""Horizontal bars drawn by the server as SVG (no script, so a strict CSP holds): each bar's length is its share of
the largest value. Screen readers get the figures from the table beside the chart; the SVG is an image with a title."""

from __future__ import annotations

from decimal import Decimal

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 22, 6, 260, 420


def bars(items: list[tuple[str, Decimal, str]], scale: Decimal | int = 0) -> dict:
    """``items``: (label, value, value as shown); the longest bar is the largest value, or ``scale`` if larger (100
    for percentages: a full bar is a full machine). Geometry in user units for the template."""
    largest = max([scale, *(value for _label, value, _text in items)])
    drawn = []
    for index, (label, value, text) in enumerate(items):
        width = int(value * BAR_WIDTH / largest) if largest > 0 and value > 0 else 0
        y = index * (BAR_HEIGHT + GAP)
        drawn.append({"label": label, "text": text, "y": y, "text_y": y + BAR_HEIGHT - 6, "width": width,
                      "value_x": LABEL_WIDTH + width + 6})  # fmt: skip
    return {
        "bars": drawn,
        "height": max(1, len(items)) * (BAR_HEIGHT + GAP),
        "width": LABEL_WIDTH + BAR_WIDTH + 160,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "bar_height": BAR_HEIGHT,
    }
