"""L&D reads the learning funnel and the manager engagement KPI in a real browser: reached from
the navigation, filtered with the form (the period choices the results page has too), the CSV
downloaded, the KPI's units sorted; axe-core and 320 px reflow on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import check_page, nav_group

pytestmark = pytest.mark.browser

LD = "helen.brooks@northfield.example"


def _go(page: Any, action: Any) -> None:
    with page.expect_navigation():
        action()
    check_page(page)


def test_ld_reads_the_funnel_and_the_manager_kpi(signed_in_page, visit):
    page = signed_in_page(LD)
    _go(page, lambda: nav_group(page, "Reports").get_by_role("link", name="Learning funnel")
        .click())
    assert page.get_by_role("heading", name="Learning funnel", level=1).is_visible()
    # both funnels, each an image with a name and a table with the same figures
    assert page.get_by_role("img", name="Elective learning funnel").count() == 1
    assert page.locator("table caption", has_text="Assigned learning funnel").count() == 1
    saw = page.locator("table.chart-table").first.locator("tbody tr").first
    assert saw.locator("th").inner_text() == \
        "Looked at suggested learning, the catalogue or a programme"
    assert int(saw.locator("td").first.inner_text().replace(",", "")) > 0  # the demo's looks
    # every rate is a share of the stage it divides by: none over 100% on the demo's year
    rates = [float(text.rstrip("%")) for text in
             page.locator("table.chart-table td").all_inner_texts() if text.endswith("%")]
    assert rates and max(rates) <= 100
    assert "people who opened a programme" in page.content()

    assert page.get_by_label("The last 12 months").is_checked()  # the default
    assert "Figures for the last 12 months (1 " in page.content()
    page.get_by_label("This year").check()
    page.get_by_label("Audience").select_option("managers")
    _go(page, lambda: page.get_by_role("button", name="Show").click())
    assert "period=year" in page.url and "audience=managers" in page.url
    assert page.get_by_label("This year").is_checked()
    assert "Figures for this year (1 January " in page.content()
    assert "Managers (people with direct reports now)" in page.content()
    # the results for leadership, for the same period
    assert page.get_by_role("link", name="Results for leadership").get_attribute("href") == \
        "/results?period=year"

    with page.expect_download() as download:
        page.get_by_role("link", name="Download both funnels as CSV").click()
    assert download.value.suggested_filename.startswith("learning-funnel-")

    # a bad period: the error summary names the field, and no figures are shown
    page.get_by_label("Choose the dates").check()
    page.get_by_label("From", exact=True).fill("2026-03-31")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Show").click()
    assert navigation.value.status == 400
    check_page(page)
    assert page.get_by_role("alert").is_visible()
    assert "The last day must be on or after the first day." in page.content()
    assert page.get_by_label("From", exact=True).input_value() == "2026-03-31"  # kept
    assert page.get_by_label("Choose the dates").is_checked()

    _go(page, lambda: page.get_by_role("link", name="Manager engagement").first.click())
    assert page.get_by_role("heading", name="Manager engagement", level=1).is_visible()
    assert page.get_by_role("img", name="Share of managers engaged so far").count() == 1
    _go(page, lambda: page.get_by_role("link", name="sort by unit, a to z").click())
    assert page.locator("th[aria-sort=ascending]").inner_text().strip() == "Unit"
    last_year = page.locator("#year option").nth(1).get_attribute("value")
    page.get_by_label("Year", exact=True).select_option(last_year)
    _go(page, lambda: page.get_by_role("button", name="Show").click())
    assert "sort=unit" in page.url
    _go(page, lambda: page.get_by_role("link", name="learning funnel for managers").click())
    assert "audience=managers" in page.url


def test_insights_pages_at_320_px(signed_in_page, visit):
    page = signed_in_page(LD, viewport={"width": 320, "height": 720})
    visit(page, "/insights/funnel")
    visit(page, "/insights/managers")
