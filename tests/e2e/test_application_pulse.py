"""In a real browser: a manager answers an application check from their task page, a learner
answers the pulse about a decision, L&D read both results pages. axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import check_page, visit

pytestmark = pytest.mark.browser

MANAGER = "tom.williams@northfield.example"
LEARNER = "sam.taylor@northfield.example"
LD = "helen.brooks@northfield.example"
MD = "amara.okafor@northfield.example"


def _go(page: Any, action: Any) -> None:
    with page.expect_navigation():
        action()
    check_page(page)


def _sams_latest_decision(live_server: Any) -> tuple[int, int]:
    from sqlalchemy import select

    from approvals.models import Decision
    from clearance.extensions import db
    from engagement.pulse.models import PulseAnswered
    from people.models import Person

    with live_server.app.app_context():
        sam = db.session.scalar(select(Person).where(Person.email == LEARNER))
        decision = db.session.scalar(
            select(Decision).where(Decision.learner_id == sam.id)
            .order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(1))
        assert decision is not None, "the demo gives Sam Taylor decisions"
        assert db.session.get(PulseAnswered, decision.id) is None
        found = (decision.id, decision.submission_id)
        db.session.remove()
    return found


def test_a_manager_answers_an_application_check(live_server, signed_in_page):
    live_server.reset()
    page = signed_in_page(MANAGER)
    assert "application check" in page.content()
    _go(page, lambda: page.get_by_role("link", name="Answer application checks").first.click())
    assert page.get_by_role("heading", name="Application checks", exact=True).is_visible()
    link = page.locator("a[href^='/application-checks/']").first
    _go(page, link.click)
    assert "applying" in page.get_by_role("heading", level=1).inner_text()
    page.locator('input[name="answer"][value="partly"]').check()
    page.locator("#note").fill("Uses SBAR on day shifts; we will practise it on nights.")
    page.locator("#measure_name").fill("Handover incidents per month")
    page.locator("#measure_value").fill("2")
    _go(page, lambda: page.get_by_role("button", name="Save my answer").click())
    assert "your answer about" in page.content()
    assert "Handover incidents per month: 2" in page.content()
    visit(page, "/approvals")


def test_a_learner_answers_the_pulse(live_server, signed_in_page):
    live_server.reset()
    decision_id, submission_id = _sams_latest_decision(live_server)
    page = signed_in_page(LEARNER)
    visit(page, f"/portfolio/submissions/{submission_id}")
    _go(page, lambda: page.get_by_role(
        "link", name="Answer three questions about this decision").click())
    page.locator('input[name="activities"][value="feedback"]').check()
    page.locator('input[name="activities"][value="summative"]').check()
    page.locator('input[name="usefulness"][value="4"]').check()
    page.locator('input[name="feedback_helped"][value="5"]').check()
    _go(page, lambda: page.get_by_role("button", name="Send my answers").click())
    assert "your answers are saved, without your name" in page.content()
    assert f"/pulse/decisions/{decision_id}" not in page.content()
    visit(page, f"/pulse/decisions/{decision_id}")  # the thank-you page
    assert "already answered" in page.content()


def test_ld_reads_the_results_and_a_skip_level_the_wider_team(live_server, signed_in_page):
    page = signed_in_page(LD)
    _go(page, lambda: page.get_by_role("link", name="Application on the job by programme")
        .first.click())
    assert page.locator("svg[role='img']").count() == 1
    # the shared period: the last 12 months by default, said on the page
    assert page.get_by_label("The last 12 months").is_checked()
    assert "Figures for the last 12 months (1 " in page.content()
    page.get_by_label("This year").check()
    _go(page, lambda: page.get_by_role("button", name="Show").click())
    assert "period=year" in page.url and "Figures for this year (1 January " in page.content()
    nav = page.get_by_role("navigation", name="Insights pages")
    assert nav.get_by_role("link", name="Learning funnel").get_attribute("href") == \
        "/insights/funnel?period=year"
    _go(page, lambda: page.get_by_role("link", name="What learners say: the learner pulse")
        .click())
    assert page.get_by_label("This year").is_checked()
    assert page.locator("svg[role='img']").count() == 3
    assert "By programme" in page.content()
    # a wrong period: explained, what was typed kept, no figures
    page.get_by_label("Choose the dates").check()
    page.get_by_label("From", exact=True).fill("2026-03-31")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Show").click()
    assert navigation.value.status == 400
    check_page(page)
    assert page.get_by_role("alert").is_visible()
    assert "The last day must be on or after the first day." in page.content()
    assert page.get_by_label("From", exact=True).input_value() == "2026-03-31"
    assert page.locator("svg[role='img']").count() == 0
    # the insights sub-navigation reaches both pages
    _go(page, lambda: nav.get_by_role("link", name="Application on the job").click())
    assert page.get_by_role("heading", name="Application on the job by programme").is_visible()
    _go(page, lambda: nav.get_by_role("link", name="Learner pulse").click())
    assert page.get_by_role("heading", name="The learner pulse").is_visible()
    director = signed_in_page(MD)
    visit(director, "/application-checks")
    assert "In your wider team" in director.content()
