"""Rubrics in a real browser, keyboard only: L&D builds a rubric with 3 criteria x 3 levels,
reorders it with buttons, sets the pass rule, publishes it, and tries it out as an assessor;
axe-core checks every page visited (and reflow at 320 CSS pixels)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import NARROW, check_page, tab_to, visit

pytestmark = pytest.mark.browser

LD_LEAD = "helen.brooks@northfield.example"
TITLE = "Keyboard-built rubric: safe discharge"
LEVELS = [("Not yet", "Not shown, or only with prompting.", "0"),
          ("Meets", "Shown reliably, as expected for the role.", "1"),
          ("Exceeds", "Shown with insight; could coach others. " * 6, "2")]
CRITERIA = ["Medicines reconciled", "Patient and family informed", "Follow-up arranged"]


def press_and_check(page: Any, key: str = "Enter") -> None:
    """Press a key that navigates (a link or a form), then check the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    check_page(page)


def focused(page: Any) -> str:
    return page.evaluate("() => document.activeElement?.outerHTML.slice(0, 120) || ''")


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector, limit=80)
    page.keyboard.type(text)


def flash(page: Any) -> str:
    return page.locator(".flash").first.inner_text()


def item_id(page: Any, title: str) -> str:
    item = page.locator("li.builder-item").filter(has=page.locator("h3", has_text=title))
    return item.get_attribute("id") or ""


def test_build_a_rubric_with_the_keyboard_only(signed_in_page):
    page = signed_in_page(LD_LEAD)

    # the navigation's Manage group leads to the rubric library, and on to a new rubric
    tab_to(page, ".nav-row details:has(a[href='/rubrics']) > summary", limit=60)
    page.keyboard.press("Enter")
    tab_to(page, "a[href='/rubrics']")
    press_and_check(page)
    assert page.locator("h1").inner_text() == "Rubrics"
    tab_to(page, "a[href='/rubrics/new']")
    press_and_check(page)

    type_into(page, "#title", TITLE)
    type_into(page, "#description", "For the discharge a learner led.")
    tab_to(page, "#scale-0")  # the radio group: arrow keys choose "an empty shared scale"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#scale-2").is_checked()
    tab_to(page, "#submit")
    press_and_check(page)
    assert "/build" in page.url and "Created" in flash(page)
    version_id = int(re.search(r"/versions/(\d+)/build", page.url).group(1))

    # three levels on the shared scale
    for name, descriptor, points in LEVELS:
        type_into(page, "#scale-name", name)
        type_into(page, "#scale-descriptor", descriptor)
        type_into(page, "#scale-points", points)
        press_and_check(page)  # Enter in the points box sends the form
        assert f"Added the level “{name}”" in flash(page)
        assert urlsplit(page.url).fragment == "add-level"

    # a mistake is refused with the error linked to the field, and the input is kept
    type_into(page, "#scale-name", "Outstanding")
    type_into(page, "#scale-points", "lots")
    press_and_check(page)
    summary = page.locator(".error-summary")
    assert "as a number" in summary.inner_text()
    assert page.locator("#scale-name").input_value() == "Outstanding"
    tab_to(page, ".error-summary a[href='#scale-points']", limit=80)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "scale-points"
    visit(page, f"/rubrics/versions/{version_id}/build")

    # three criteria, the second needing a comment
    for index, title in enumerate(CRITERIA):
        type_into(page, "#new-title", title)
        type_into(page, "#new-description", f"What “{title}” looks like in practice.")
        if index == 1:
            tab_to(page, "#new-comment_required")
            page.keyboard.press("Space")
        tab_to(page, "#new-submit")
        press_and_check(page)
        assert f"Added the criterion “{title}”" in flash(page)

    # reorder with buttons: the last criterion moves up, "Exceeds" moves down... and back
    last = item_id(page, CRITERIA[2])
    tab_to(page, f"#{last} button[value=up]", limit=120)
    press_and_check(page)
    titles = page.locator("#criteria li.builder-item h3").all_inner_texts()
    assert titles == [CRITERIA[0], CRITERIA[2], CRITERIA[1]]
    assert urlsplit(page.url).fragment == last
    meets = page.locator("#levels li.builder-item").nth(1).get_attribute("id")
    tab_to(page, f"#{meets} button[value=down]", limit=120)
    press_and_check(page)
    assert page.locator("#levels .level-name").all_inner_texts() == ["Not yet", "Exceeds",
                                                                    "Meets"]
    tab_to(page, f"#{meets} button[value=up]", limit=120)
    press_and_check(page)
    assert page.locator("#levels .level-name").all_inner_texts() == ["Not yet", "Meets",
                                                                    "Exceeds"]

    # the pass rule: every criterion at or above "Meets"
    tab_to(page, "#rule-pass_min_position", limit=150)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#rule-pass_min_position").input_value() == "1"
    type_into(page, "#rule-change_note", "First version, built at the keyboard.")
    tab_to(page, "#rule-submit")
    press_and_check(page)
    assert "every criterion at or above “Meets”" in page.locator(".pass-rule").inner_text()
    assert "This draft is ready" in page.locator("#publish").inner_text()

    # publish
    tab_to(page, "#publish form[action$='/publish'] button", limit=150)
    press_and_check(page)
    assert f"Published version 1 of “{TITLE}”" in flash(page)

    # the published grid: 3 criteria x 3 levels, as an assessor reads it
    tab_to(page, f"a[href='/rubrics/versions/{version_id}']", limit=60)
    press_and_check(page)
    grid = page.locator("table.rubric-grid")
    assert grid.locator("tbody tr").count() == 3
    assert grid.locator("tbody td.level").count() == 9
    headers = [" ".join(t.split()) for t in grid.locator("thead th").all_inner_texts()]
    assert headers == ["Criterion", "Not yet 0 pts", "Meets 1 pts", "Exceeds 2 pts"]
    rows = [" ".join(t.split()) for t in grid.locator("tbody th").all_inner_texts()]
    assert [r.split(" What")[0] for r in rows] == [
        CRITERIA[0], CRITERIA[2], f"{CRITERIA[1]} Comment required"]


def test_score_a_rubric_with_the_keyboard_in_preview(signed_in_page, live_server):
    from sqlalchemy import select

    from clearance.extensions import db
    from rubrics.models import Rubric

    with live_server.app.app_context():
        rubric = db.session.scalar(select(Rubric).where(
            Rubric.title == "Clinical handover reflection"))
        version = rubric.versions[-1]
        version_id = version.id
        criteria = [(c.id, c.title, c.comment_required) for c in version.criteria]
        db.session.remove()

    page = signed_in_page(LD_LEAD)
    visit(page, f"/rubrics/versions/{version_id}/preview")
    # the first criterion: Tab reaches its radio group, arrows choose "Meets"
    first_id = criteria[0][0]
    tab_to(page, f"input[name='c{first_id}-level']", limit=60)
    page.keyboard.press("ArrowRight")
    assert page.locator(f"input[name='c{first_id}-level']:checked").count() == 1
    tab_to(page, ".assessment-form button[type=submit]", limit=120)
    press_and_check(page)
    summary = page.locator(".error-summary")
    assert "Choose a level for “Patient safety”" in summary.inner_text()
    assert "Write overall feedback of at least 40 characters" in summary.inner_text()

    snippet = "Specific and linked to the patient's safety."
    for cid, _title, required in criteria:
        tab_to(page, f"input[name='c{cid}-level']", limit=150)
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")  # "Meets"
        if required:
            type_into(page, f"#c{cid}-comment", snippet)
            tab_to(page, f"#c{cid}-bank")  # keep this comment in the bank
            page.keyboard.press("Space")
    type_into(page, "#feedback", "A clear, well-structured handover that kept the patient safe.")
    tab_to(page, ".assessment-form button[type=submit]", limit=150)
    press_and_check(page)
    assert "The assessment is complete" in page.locator("main").inner_text()
    assert "Meets the pass rule: approve." in page.locator(".score-summary").inner_text()

    # the comment bank now offers the comment; Insert (keyboard) puts it in the comment box
    cid = next(c for c, _t, required in criteria if required)
    box = page.locator(f"#c{cid}-comment")
    tab_to(page, f"#c{cid}-comment", limit=150)  # empty the box, keyboard only
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    assert box.input_value() == ""
    bank = page.locator(f"#c{cid}-row details.comment-bank")
    tab_to(page, f"#c{cid}-row details.comment-bank > summary", limit=150)
    page.keyboard.press("Enter")
    assert bank.get_attribute("open") is not None
    insert = bank.locator("button.snippet-insert").first
    assert insert.is_visible(), "the script shows the Insert buttons"
    tab_to(page, f"#c{cid}-row button.snippet-insert")
    page.keyboard.press("Enter")
    assert box.input_value() == snippet
    assert page.evaluate("() => document.activeElement.id") == f"c{cid}-comment"


def test_the_rubric_grid_at_320_pixels(signed_in_page, live_server):
    from sqlalchemy import select

    from clearance.extensions import db
    from rubrics.models import Rubric

    with live_server.app.app_context():
        rubric = db.session.scalar(select(Rubric).where(
            Rubric.title == "Quality improvement mini-project"))
        version_id = rubric.versions[-1].id
        db.session.remove()
    page = signed_in_page(LD_LEAD, viewport=NARROW)
    for path in (f"/rubrics/versions/{version_id}", f"/rubrics/versions/{version_id}/preview",
                 f"/rubrics/{rubric.id}", "/rubrics", "/rubrics/import"):
        visit(page, path)  # axe at 320 px, and nothing scrolls sideways
    learner = signed_in_page("sam.taylor@northfield.example", viewport=NARROW)
    visit(learner, f"/rubrics/versions/{version_id}")
    assert learner.locator("table.rubric-grid tbody tr").count() == 4
