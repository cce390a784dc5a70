"""The main navigation in a real browser: at 1280 px every role's row fits on one line, with L&D's
pages in groups that open and close with the keyboard (Enter or Space, Escape), a click
elsewhere or focus moving on; links in a group are followed, the current page and its group are
marked, a group shows the sum of its badges; on narrow screens the Menu lists every link, each
group a labelled sub-list. axe-core and 320 px reflow on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NARROW, WIDE, check_a11y, check_page, nav_group, tab_to

pytestmark = pytest.mark.browser

LD = "helen.brooks@northfield.example"
ADMIN = "raj.patel@northfield.example"
MD = "amara.okafor@northfield.example"
MANAGER = "tom.williams@northfield.example"
LEARNER = "sam.taylor@northfield.example"

ROW = """() => [...document.querySelectorAll('.nav-row > li')].map(li => {
  const r = li.getBoundingClientRect();
  return {text: li.innerText.replace(/\\s+/g, ' ').trim(), top: r.top, bottom: r.bottom,
          right: r.right};
})"""
GROUP_NAMES = """() => [...document.querySelectorAll('.nav-row > li > details > summary')]
  .map(s => s.firstChild.textContent.trim())"""
REPORTS = ".nav-row details:has(a[href='/insights/managers'])"


def focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector))


def badge(locator: Any) -> int:
    return int(re.search(r"\d+", locator.locator(".badge").first.inner_text()).group(0))


@pytest.mark.parametrize("email, groups", [
    (LD, ["Quality", "Reports", "Manage", "Account"]),
    (ADMIN, ["Quality", "Reports", "Manage", "Account"]),
    (MD, ["Account"]),        # the managing director's one report (Results) stays on its own
    (MANAGER, ["Account"]),
    (LEARNER, ["Account"]),
])
def test_the_navigation_fits_one_row_at_1280(signed_in_page: Any, email: str,
                                             groups: list[str]) -> None:
    page = signed_in_page(email, viewport=WIDE)
    assert page.evaluate(GROUP_NAMES) == groups
    items = page.evaluate(ROW)
    first, last = items[0], items[-1]
    assert first["text"] == "Home" and last["text"] == "Account"
    assert last["top"] < first["bottom"] and first["top"] < last["bottom"], (
        f"{email}: the navigation wraps to a second row: {items}")
    assert all(abs(item["top"] - first["top"]) <= 2 for item in items), items
    assert last["right"] <= WIDE["width"], f"{email}: the row runs off the screen: {items}"


def test_ld_opens_a_group_with_the_keyboard_and_follows_a_link(signed_in_page: Any) -> None:
    page = signed_in_page(LD)
    reports = page.locator(REPORTS)
    summary = f"{REPORTS} > summary"
    link = reports.locator("a[href='/insights/managers']")
    expect(link).to_be_hidden()

    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(link).to_have_text("Manager engagement")
    expect(link).to_be_visible()
    check_a11y(page)  # the open group passes axe too
    # Escape closes it and gives focus back to its name; Space opens it again
    page.keyboard.press("Escape")
    expect(link).to_be_hidden()
    assert focused(page, summary)
    page.keyboard.press(" ")
    expect(link).to_be_visible()
    tab_to(page, f"{REPORTS} a[href='/insights/managers']", limit=6)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Manager engagement"

    # the page is marked current, and so is the group that holds it (and no other)
    assert link.get_attribute("aria-current") == "page"
    assert page.locator(summary).get_attribute("aria-current") == "true"
    assert page.locator(".nav-row summary[aria-current]").count() == 1
    expect(link).to_be_hidden()  # a new page starts with its groups closed

    # focus moving on past the last link closes the group
    tab_to(page, summary, limit=20)
    page.keyboard.press("Enter")
    tab_to(page, f"{REPORTS} li:last-child a", limit=10)
    page.keyboard.press("Tab")
    expect(link).to_be_hidden()


def test_groups_close_on_a_click_elsewhere_and_one_at_a_time(signed_in_page: Any) -> None:
    page = signed_in_page(LD)
    manage = nav_group(page, "Manage")
    programmes = manage.get_by_role("link", name="Programmes")
    expect(programmes).to_be_visible()
    funnel = nav_group(page, "Reports").get_by_role("link", name="Learning funnel")
    expect(funnel).to_be_visible()
    expect(programmes).to_be_hidden()  # opening one group closes the other
    page.get_by_role("heading", level=1).click()
    expect(funnel).to_be_hidden()

    # the group's badge is the sum of its links' badges (spot-checks waiting for L&D)
    quality = nav_group(page, "Quality")
    spot_checks = quality.get_by_role("link", name=re.compile("^Spot-checks"))
    expect(spot_checks).to_be_visible()
    assert badge(quality.locator("summary")) == badge(spot_checks) > 0
    with page.expect_navigation():
        spot_checks.click()
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Spot-checks"


def test_the_narrow_menu_lists_every_link_with_groups_as_labelled_lists(
        signed_in_page: Any) -> None:
    page = signed_in_page(LD, viewport=NARROW)
    nav = page.get_by_role("navigation", name="Main")
    row = page.eval_on_selector_all(".nav-row a", "(links) => links.map(a => a.pathname)")
    menu = page.eval_on_selector_all(".nav-menu a", "(links) => links.map(a => a.pathname)")
    assert menu == row and "/pulse/results" in menu

    tab_to(page, ".nav-menu > summary")
    page.keyboard.press("Enter")
    reports = nav.get_by_role("list", name="Reports")
    expect(reports).to_be_visible()
    assert reports.get_by_role("link").all_inner_texts() == [
        "Learning funnel", "Manager engagement", "Application on the job", "Learner pulse",
        "Results", "Exports"]
    expect(nav.get_by_role("list", name="Account").get_by_role("button", name="Sign out")
           ).to_be_visible()
    check_page(page)  # the open Menu at 320 px

    tab_to(page, ".nav-menu a[href='/pulse/results']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == "The learner pulse"
    nav.get_by_text("Menu").click()
    current = reports.get_by_role("link", name="Learner pulse")
    assert current.get_attribute("aria-current") == "page"
    assert page.locator(".nav-menu #nav-menu-reports").get_attribute("aria-current") == "true"
    # Escape from inside the Menu closes it and gives focus back to its button
    tab_to(page, ".nav-menu a[href='/pulse/results']")
    page.keyboard.press("Escape")
    expect(reports).to_be_hidden()
    assert focused(page, ".nav-menu > summary")
