"""Catalogue, programme pages and L&D's programme authoring in a real browser: axe-core and
320 px reflow on every page, enrolment and assignment with the keyboard."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import check_page, nav_group, tab_to, visit

pytestmark = pytest.mark.browser

LEARNER = "sam.taylor@northfield.example"
LD = "helen.brooks@northfield.example"


def programme_id(live_server: Any, title: str) -> int:
    from sqlalchemy import select

    from checkpoints.models import Programme
    from clearance.extensions import db

    with live_server.app.app_context():
        found = db.session.scalar(select(Programme.id).where(Programme.title == title))
        db.session.remove()
    assert found is not None, title
    return found


def test_learner_finds_and_enrols_with_the_keyboard(signed_in_page, live_server):
    live_server.reset()
    page = signed_in_page(LEARNER)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Catalogue").first.click()
    check_page(page)
    tab_to(page, "#q")
    page.keyboard.type("quality")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    assert page.get_by_role("link", name="Quality improvement basics").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Quality improvement basics").click()
    check_page(page)
    tab_to(page, "form[action$='/enrol'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    assert "You are enrolled in Quality improvement basics." in page.content()
    assert page.get_by_role("button", name="Leave this programme").is_visible()

    # the summative checkpoint links to its rubric (when the demo has published rubrics)
    rubric = page.get_by_role("link", name="read the rubric for Mini-project")
    if rubric.count():
        with page.expect_navigation():
            rubric.click()
        check_page(page)
        assert "Quality improvement mini-project" in page.content()

    visit(page, "/my/programmes")
    assert "Quality improvement basics" in page.content()
    visit(page, "/catalogue?theme=Leadership&audience=managers&released=365")


def test_ld_pages(signed_in_page, live_server):
    live_server.reset()
    page = signed_in_page(LD)
    with page.expect_navigation():
        nav_group(page, "Manage").get_by_role("link", name="Programmes").click()
    check_page(page)
    pid = programme_id(live_server, "Coaching conversations")
    visit(page, f"/programmes/{pid}")
    visit(page, f"/programmes/{pid}/edit")
    visit(page, f"/programmes/{pid}/checkpoints/new")
    visit(page, f"/programmes/{pid}/preview")
    visit(page, f"/programmes/{pid}/enrolments")
    visit(page, "/programmes/new")
    visit(page, "/catalogue?released=upcoming")

    # the checkpoints editor: move one down with the keyboard
    visit(page, f"/programmes/{pid}")
    tab_to(page, "button[value=down]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)

    # assign to a unit: the confirmation says how many, then enrols them
    visit(page, f"/programmes/{pid}/assign")
    page.get_by_label("Everyone in a unit").check()
    page.get_by_label("Unit", exact=True).select_option("Ward 8 (Respiratory)")
    with page.expect_navigation():
        page.get_by_role("button", name="Check who will be enrolled").click()
    check_page(page)
    confirm = page.get_by_role("button", name=re.compile(r"^Enrol \d+ pe"))
    label = confirm.inner_text()
    assert label.startswith("Enrol ") and "people" in label
    with page.expect_navigation():
        confirm.click()
    check_page(page)
    assert urlsplit(page.url).path == f"/programmes/{pid}/enrolments"
    assert "Enrolled" in page.content()
