"""Results for leadership in a real browser: the managing director reaches the page from the
home page, L&D from the navigation; every section has its chart and table over the demo's year
of activity; the period selector (with an error summary for a wrong period) and the PDF
download; axe-core and 320 px reflow on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import check_page, nav_group

pytestmark = pytest.mark.browser

MD = "amara.okafor@northfield.example"
LD = "helen.brooks@northfield.example"
SECTIONS = ("Approval turnaround", "Programme completion", "L&D agreement with decisions",
            "Applying learning on the job (level 3)", "Manager engagement against the target",
            "What learners say (the pulse)")


def _go(page: Any, action: Any) -> None:
    with page.expect_navigation():
        action()
    check_page(page)


def test_the_managing_director_reads_the_results(signed_in_page):
    page = signed_in_page(MD)
    _go(page, lambda: page.get_by_role("link", name="See the results").click())
    assert page.get_by_role("heading", name="Results for leadership", level=1).is_visible()
    for title in SECTIONS:
        assert page.get_by_role("heading", name=title, level=2).is_visible(), title
    chart = page.get_by_role("img", name="Median days from submission to decision, by level")
    assert chart.count() == 1
    level1 = page.locator("table.chart-table").first.locator("tbody tr").first
    assert level1.locator("th").inner_text() == "Level 1: line manager"
    assert "days" in level1.locator("td").first.inner_text()

    page.get_by_label("The last 12 months").check()
    _go(page, lambda: page.get_by_role("button", name="Show the results").click())
    assert "Figures for the last 12 months" in page.content()
    months = page.get_by_role("table", name="Median days to the line manager\u2019s decision, by "
                                            "month of the decision: figures")
    assert months.locator("tbody tr").count() == 12
    assert "\u2013" not in months.locator("tbody tr td:nth-child(2)").all_inner_texts()

    page.get_by_label("Choose the dates").check()
    page.get_by_label("From", exact=True).fill("2026-03-31")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    _go(page, lambda: page.get_by_role("button", name="Show the results").click())
    assert page.get_by_role("alert").is_visible()
    assert "The last day must be on or after the first day." in page.content()
    assert page.get_by_role("heading", name="Approval turnaround").count() == 0

    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-06-30")
    _go(page, lambda: page.get_by_role("button", name="Show the results").click())
    assert "Figures for 1 January 2026 to 30 June 2026." in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this summary as a PDF").click()
    assert download.value.suggested_filename == \
        "results-summary-2026-01-01-to-2026-06-30.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_ld_reach_the_results_from_the_navigation(signed_in_page, visit):
    page = signed_in_page(LD)
    _go(page, lambda: nav_group(page, "Reports").get_by_role("link", name="Results",
                                                            exact=True).click())
    assert page.get_by_role("heading", name="Results for leadership", level=1).is_visible()
    assert page.get_by_role("link", name="Manager engagement for every unit").is_visible()
    visit(page, "/results?period=12m")
    # the learning funnel for the same period states the same days
    stated = page.locator("p strong", has_text="Figures for").inner_text().rstrip(".")
    assert stated.startswith("Figures for the last 12 months (1 ")
    _go(page, lambda: page.get_by_role("link", name="The learning funnel for the same "
                                                    "period").click())
    assert page.get_by_role("heading", name="Learning funnel", level=1).is_visible()
    assert page.locator("p strong", has_text="Figures for").inner_text() == stated
