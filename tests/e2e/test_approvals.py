"""A manager clears a checkpoint in a real browser, keyboard only: the review page refuses an
incomplete assessment and says exactly what is missing; completed, it approves; the learner
reads the feedback. axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import check_page, tab_to

pytestmark = pytest.mark.browser

MANAGER = "tom.williams@northfield.example"


def pending_step(live_server: Any) -> dict[str, Any] | None:
    """A pending, rubric-scored step that Tom decides (the demo leaves some for him)."""
    from sqlalchemy import select

    from approvals.models import ApprovalStep
    from approvals.operations import rubric_version_of
    from clearance.extensions import db
    from people.models import Person

    with live_server.app.app_context():
        tom = db.session.scalar(select(Person).where(Person.email == MANAGER))
        for step in db.session.scalars(
            select(ApprovalStep).where(ApprovalStep.approver_id == tom.id,
                                       ApprovalStep.status == "pending")
            .order_by(ApprovalStep.id)
        ):
            rubric = rubric_version_of(step)
            if rubric is None:
                continue
            found = {
                "step_id": step.id, "submission_id": step.submission_id,
                "learner_email": step.learner.email, "title": step.submission.checkpoint.title,
                "criteria": [(c.id, len(rubric.levels_for(c))) for c in rubric.criteria],
            }
            db.session.remove()
            return found
        db.session.remove()
    return None


def make_pending_step(live_server: Any) -> None:
    """One of Tom's direct reports submits a rubric-scored checkpoint (the demo may have left
    him nothing pending), through the portfolio operations, so routing opens the step."""
    from sqlalchemy import select

    from checkpoints.models import Checkpoint, Enrolment
    from clearance.database import commit, write_intent
    from clearance.extensions import db
    from people.models import Person
    from portfolios import operations

    with live_server.app.app_context(), write_intent(True):
        tom = db.session.scalar(select(Person).where(Person.email == MANAGER))
        report = db.session.scalar(select(Person).where(Person.manager_id == tom.id)
                                   .order_by(Person.id).limit(1))
        for checkpoint in db.session.scalars(
            select(Checkpoint).where(Checkpoint.kind == "summative",
                                     Checkpoint.rubric_version_id.is_not(None))
            .order_by(Checkpoint.id)
        ):
            if "reflection" not in checkpoint.allowed_kinds or checkpoint.min_evidence > 1:
                continue
            if operations.find_submission(report, checkpoint) is not None:
                continue
            if db.session.scalar(select(Enrolment).where(
                    Enrolment.person_id == report.id,
                    Enrolment.programme_id == checkpoint.programme_id)) is None:
                db.session.add(Enrolment(person_id=report.id,
                                         programme_id=checkpoint.programme_id, source="self",
                                         status="active"))
                db.session.flush()
            operations.save_reflection(report, checkpoint,
                                       "I led the safety huddle and used SBAR throughout.")
            submission = operations.find_submission(report, checkpoint)
            operations.submit(submission, report, expected_version=0)
            commit()
            db.session.remove()
            return
        db.session.remove()
    pytest.fail("no rubric-scored summative checkpoint in the demo for Tom's team")


def press_enter_and_wait(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)


def test_manager_assesses_fully_and_the_learner_reads_the_feedback(live_server, signed_in_page):
    item = pending_step(live_server)
    if item is None:
        make_pending_step(live_server)
        item = pending_step(live_server)
    assert item is not None
    try:
        page = signed_in_page(MANAGER)
        tab_to(page, 'header a[href="/approvals"]', limit=60)
        press_enter_and_wait(page)
        review = f"/approvals/steps/{item['step_id']}"
        tab_to(page, f'a[href="{review}"]', limit=200)
        press_enter_and_wait(page)

        # Saving straight away: refused, every missing piece listed and linked.
        tab_to(page, "#feedback", limit=300)
        page.keyboard.type("Too short.")
        tab_to(page, "#submit", limit=50)
        press_enter_and_wait(page)
        summary = page.locator("#assessment-errors")
        assert summary.is_visible()
        for criterion_id, _levels in item["criteria"]:
            assert summary.locator(f'a[href="#c{criterion_id}-level"]').count() == 1
        assert "at least 40 characters" in summary.inner_text()
        assert page.locator("#feedback").input_value() == "Too short."  # nothing lost

        # Following a summary link moves focus to the field.
        first = item["criteria"][0][0]
        tab_to(page, f'#assessment-errors a[href="#c{first}-level"]', limit=30)
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == f"c{first}-level"

        # Complete it with the keyboard: top level and a comment for every criterion.
        for criterion_id, levels in item["criteria"]:
            tab_to(page, f"#c{criterion_id}-level", limit=300)
            page.keyboard.press("Space")
            for _ in range(levels - 1):
                page.keyboard.press("ArrowRight")
            tab_to(page, f"#c{criterion_id}-comment", limit=30)
            page.keyboard.type("Clearly shown in the evidence and the reflection.")
        tab_to(page, "#feedback", limit=60)
        page.keyboard.press("Control+A")
        page.keyboard.type("A thorough, safe handover. Next: coach a newer colleague through "
                           "the same structure.")
        tab_to(page, "#outcome-0", limit=30)
        page.keyboard.press("Space")
        tab_to(page, "#submit", limit=30)
        press_enter_and_wait(page)
        assert page.get_by_text("was approved").is_visible()
        assert page.url.endswith("/approvals")

        learner = signed_in_page(item["learner_email"])
        learner.goto(f"/portfolio/submissions/{item['submission_id']}")
        check_page(learner)
        assert learner.get_by_text("Next: coach a newer colleague").is_visible()
        assert learner.get_by_role("heading", name="Approved at level 1 by Tom Williams") \
            .is_visible()
    finally:
        live_server.reset()
