"""The foundation in a real browser: sign-in, home, profile, team, the admin people pages and
outbox, error pages; axe-core on every page; keyboard use; reflow at 320 CSS pixels."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import (
    NARROW,
    check_a11y,
    check_page,
    check_reflow,
    nav_group,
    sign_in,
    tab_to,
    visit,
)

pytestmark = pytest.mark.browser

WARD_MANAGER = "tom.williams@northfield.example"
ADMIN = "raj.patel@northfield.example"
WARD_7 = "Ward 7 (Acute Medicine)"


def direct_report_names(live_server: Any, email: str) -> list[str]:
    from sqlalchemy import select

    from clearance.extensions import db
    from people.hierarchy import direct_reports
    from people.models import Person

    with live_server.app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == email))
        names = [p.name for p in direct_reports(person.id)]
        db.session.remove()
    return names


def active_id(page: Any) -> str:
    return page.evaluate("() => document.activeElement?.id || ''")


def table_texts(page: Any, label: str) -> str:
    return page.get_by_role("region", name=label).inner_text()


def first_column(page: Any, label: str) -> list[str]:
    cells = page.get_by_role("region", name=label).locator("tbody tr > :first-child")
    return cells.all_inner_texts()


# ---------------------------------------------------------------- pages and journeys


def test_sign_in_shows_an_error_summary_that_leads_to_the_field(page):
    response = visit(page, "/sign-in")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    tab_to(page, "#email")
    page.keyboard.type(WARD_MANAGER)
    tab_to(page, "#password")
    page.keyboard.type("not the password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)

    summary = page.locator(".error-summary")
    assert "do not match" in summary.inner_text()
    assert active_id(page) == "error-summary", "the error summary should take focus"
    assert page.title() == "Error: Sign in \u2013 Clearance"
    assert page.locator("#email").input_value() == WARD_MANAGER, "the e-mail is kept"

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.error-summary') !== null")
    page.keyboard.press("Enter")
    assert active_id(page) == "email", "the summary link should move focus to the field"


def test_ward_manager_sees_their_team_and_can_search_it(live_server, signed_in_page):
    reports = direct_report_names(live_server, WARD_MANAGER)
    assert "Grace Mensah" in reports

    page = signed_in_page(WARD_MANAGER)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Tom Williams"

    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My team").click()
    check_page(page)
    assert page.url.endswith("/team")
    direct = table_texts(page, "Your direct reports")
    for name in reports:
        assert name in direct

    tab_to(page, "#q")
    page.keyboard.type("Sam Tay")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    results = first_column(page, "Everyone under you, nearest levels first")
    assert "Sam Taylor" in results
    assert "Grace Mensah" not in results

    with page.expect_navigation():
        nav_group(page, "Account").get_by_role("link", name="My profile").click()
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Tom Williams"
    assert "Priya Shah" in page.locator("ol.chain").inner_text()


def test_admin_filters_people_adds_and_edits_a_person_and_reads_the_outbox(live_server,
                                                                           signed_in_page):
    page = signed_in_page(ADMIN)
    visit(page, "/admin/people")
    page.get_by_label("Unit").select_option(WARD_7)
    page.get_by_label("Status").select_option("all")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    check_page(page)
    listed = table_texts(page, "People matching the filters")
    assert "Tom Williams" in listed and "Raj Patel" not in listed

    # Add a person: errors first, each linked to its field.
    visit(page, "/admin/people/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    check_page(page)
    assert active_id(page) == "error-summary"
    assert "Employee id: This field is required." in page.locator(".error-summary").inner_text()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert active_id(page) == "employee_id"
    assert page.locator("#employee_id").get_attribute("aria-invalid") == "true"

    page.keyboard.type("E2E00001")
    page.get_by_label("Full name").fill("Robin Example")
    page.get_by_label("Work e-mail address").fill("robin.example@northfield.example")
    page.get_by_label("Line manager", exact=True).fill("nobody@northfield.example")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    check_page(page)
    assert "No one has the employee id or e-mail" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Full name").input_value() == "Robin Example", "input is kept"
    page.get_by_role("link", name=re.compile("^Line manager:")).click()
    assert active_id(page) == "manager", "a click on a summary link focuses the field too"

    # Edit Tom, and send him a password-reset link: that puts a message in the outbox.
    visit(page, "/admin/people?q=tom.williams")
    with page.expect_navigation():
        page.get_by_role("link", name="Tom Williams").click()
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Edit Tom Williams"
    with page.expect_navigation():
        page.get_by_role("button", name="E-mail a password-reset link").click()
    check_page(page)
    assert "was e-mailed to tom.williams@northfield.example" in page.get_by_role(
        "status").inner_text()

    visit(page, "/admin/outbox")
    with page.expect_navigation():
        page.get_by_role("row", name=re.compile(WARD_MANAGER)).first.get_by_role("link").click()
    check_page(page)
    assert WARD_MANAGER in page.locator("dl.summary").inner_text()
    link = re.search(r"http://\S+/set-password/\S+", page.locator("pre.mail").inner_text())
    assert link and link.group(0).startswith(live_server.url), "mailed links lead here"


def test_not_found_page(page, signed_in_page):
    visit(page, "/no-such-page", status=404)
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    admin = signed_in_page(ADMIN)
    visit(admin, "/people/999999", status=404)
    visit(admin, "/admin/people/999999/edit", status=404)


# ---------------------------------------------------------------- keyboard


FOCUS_RING = """() => {
  const s = getComputedStyle(document.activeElement);
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow};
}"""


def assert_focus_visible(page: Any, what: str) -> None:
    ring = page.evaluate(FOCUS_RING)
    assert ring["style"] not in ("none", "") and ring["width"] >= 2, f"{what}: no focus ring {ring}"


def test_skip_link_is_the_first_tab_stop_and_focus_is_always_visible(page):
    visit(page, "/sign-in")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 50
    assert_focus_visible(page, "skip link")
    page.keyboard.press("Enter")
    assert active_id(page) == "main"
    page.keyboard.press("Tab")
    assert active_id(page) == "email", "Tab after the skip link goes into the main content"
    assert_focus_visible(page, "e-mail field")
    tab_to(page, "#submit")
    assert_focus_visible(page, "sign-in button")

    sign_in(page, WARD_MANAGER)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('brand')")
    assert_focus_visible(page, "brand link")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('nav') !== null")
    assert_focus_visible(page, "navigation link")
    tab_to(page, "a[href='/team']:not(nav a)")
    assert_focus_visible(page, "link in the content")


# ---------------------------------------------------------------- 320 px
# Every page above was also checked for reflow at 320 px (check_page); here the narrow layout
# itself: axe at 320 px, the folded navigation, and tables that scroll inside their box.


def test_narrow_screens_fold_the_navigation_into_a_menu(new_page, signed_in_page):
    anonymous = new_page(NARROW)
    visit(anonymous, "/sign-in")
    anonymous.locator("#email").fill(WARD_MANAGER)
    with anonymous.expect_navigation():
        anonymous.get_by_role("button", name="Sign in").click()
    check_page(anonymous)
    visit(anonymous, "/nope", status=404)

    manager = signed_in_page(WARD_MANAGER, viewport=NARROW)
    nav = manager.get_by_role("navigation", name="Main")
    team_link = nav.get_by_role("link", name="My team")
    assert not team_link.is_visible()
    tab_to(manager, "summary")
    assert_focus_visible(manager, "Menu button")
    manager.keyboard.press("Enter")
    assert team_link.is_visible()
    check_page(manager)
    menu_bottom = nav.locator("details.nav-menu > ul").bounding_box()
    heading_top = manager.locator("h1").bounding_box()
    assert heading_top["y"] >= menu_bottom["y"] + menu_bottom["height"], (
        "the open menu pushes the page down rather than covering it")
    with manager.expect_navigation():
        team_link.click()
    check_page(manager)
    assert check_reflow(manager), "the team table should scroll inside its box at 320 px"

    admin = signed_in_page(ADMIN, viewport=NARROW)
    visit(admin, "/admin/people")
    # Signing out from the Menu (this ends every session of the admin's: later tests sign in
    # through the form again).
    admin_nav = admin.get_by_role("navigation", name="Main")
    admin_nav.get_by_text("Menu").click()
    with admin.expect_navigation():
        admin_nav.get_by_role("button", name="Sign out").click()
    check_page(admin)
    assert "You have signed out." in admin.get_by_role("status").inner_text()
    assert admin.get_by_role("heading", level=1).inner_text() == "Sign in"


# ---------------------------------------------------------------- the checks themselves


def test_the_page_checks_catch_what_they_are_for(page, live_server):
    from tests.e2e import conftest

    def serve(path: str, body: str) -> None:
        html = f"<!doctype html><html lang='en'><head><title>t</title></head><body>{body}</body>"
        page.route(f"**{path}", lambda route: route.fulfill(
            status=200, body=html, headers={"content-type": "text/html",
                                            "content-security-policy": "script-src 'self'"}))

    serve("/selftest/axe", "<main><h1>t</h1><img src='/static/none.png'><input></main>")
    page.goto("/selftest/axe")
    with pytest.raises(pytest.fail.Exception) as failed:
        check_page(page)
    assert "404 for" in str(failed.value), "a missing static file is reported"
    with pytest.raises(pytest.fail.Exception) as failed:
        check_page(page)
    assert "image-alt" in str(failed.value) and "label" in str(failed.value)
    conftest._WATCHES[id(page)].mark_checked()  # it failed as it should: not "unchecked"

    serve("/selftest/csp", "<main><h1>t</h1><script>document.title = 'x'</script></main>")
    page.goto("/selftest/csp")
    with pytest.raises(pytest.fail.Exception, match="CSP: Executing inline script"):
        check_page(page)
    check_page(page)

    serve("/selftest/wide", "<main><h1>t</h1><p><img alt='' width='900' height='1'></p></main>")
    page.goto("/selftest/wide")
    check_a11y(page)
    with pytest.raises(AssertionError, match="scrolls sideways"):
        conftest.check_reflow(page)
    conftest._WATCHES[id(page)].mark_checked()


def test_live_server_reset_restores_the_seeded_database(live_server, signed_in_page):
    from sqlalchemy import select, update

    from clearance.extensions import db
    from people.models import Person

    def job_title() -> str:
        with live_server.app.app_context():
            title = db.session.scalar(select(Person.job_title).where(Person.email == ADMIN))
            db.session.remove()
        return title

    with live_server.app.app_context():
        db.session.execute(update(Person).where(Person.email == ADMIN)
                           .values(job_title="Changed in a test"))
        db.session.commit()
    assert job_title() == "Changed in a test"
    live_server.reset()
    assert job_title() == "Systems Administrator"
    page = signed_in_page(ADMIN)
    assert "Systems Administrator" in page.locator("main").inner_text()
