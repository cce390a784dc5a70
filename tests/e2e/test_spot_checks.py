"""L&D works spot-checks in a real browser: from the queue, takes an item, scores it blind,
compares side by side and records a verdict of each kind (agree, concern, overturn); the
approver sees the concern in their queue. axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import check_page, nav_group

pytestmark = pytest.mark.browser

LD = "helen.brooks@northfield.example"


def open_checks(live_server: Any) -> list[dict[str, Any]]:
    """Open, rubric-scored checks L&D may take, with whether an overturn could reopen them."""
    from sqlalchemy import select

    from approvals.spot_checks import operations as ops
    from approvals.spot_checks.models import SpotCheck
    from clearance.extensions import db
    from people.models import Person

    found = []
    with live_server.app.app_context():
        helen = db.session.scalar(select(Person).where(Person.email == LD))
        for check in db.session.scalars(select(SpotCheck).where(SpotCheck.status == "open")
                                        .order_by(SpotCheck.id)):
            version = ops.decision_rubric(check.decision)
            if version is None or helen.id in (check.approver_id, check.learner_id):
                continue
            found.append({
                "id": check.id, "approver_email": check.approver.email,
                "title": f"{check.learner.name}: {check.submission.checkpoint.title}",
                "criteria": [c.id for c in version.criteria],
                "overturnable": ops.overturn_blocker(check) is None,
                "manager_feedback": check.decision.overall_feedback,
            })
        db.session.remove()
    return found


def _go(page: Any, action: Any) -> None:
    with page.expect_navigation():
        action()
    check_page(page)


def work(page: Any, item: dict[str, Any], verdict: str) -> None:
    _go(page, lambda: page.goto("/spot-checks?status=open"))
    _go(page, lambda: page.get_by_role("link", name=item["title"]).first.click())
    assert item["manager_feedback"] not in page.content()
    _go(page, lambda: page.get_by_role("button", name="Take this check").click())
    # blind: the manager's assessment is not on the page until L&D has scored
    assert item["manager_feedback"] not in page.content()
    for criterion_id in item["criteria"]:
        page.locator(f"#c{criterion_id}-level").check()
    page.locator('input[name="ld_outcome"][value="approved"]').check()
    _go(page, lambda: page.get_by_role("button", name="Save my scores and compare").click())
    assert page.get_by_role("heading", name="Side by side").is_visible()
    assert item["manager_feedback"][:40] in page.content()
    page.locator(f'input[name="verdict"][value="{verdict.lower()}"]').check()
    if verdict != "Agree":
        page.locator("#approver_feedback").fill(
            "The evidence does not show the learner leading the handover; the levels chosen "
            "are higher than the descriptors support.")
    if verdict == "Overturn":
        page.locator("#learner_message").fill(
            "Please add a colleague's note on how you led the handover.")
    page.locator("#internal_notes").fill("Browser test note.")
    _go(page, lambda: page.get_by_role("button", name="Record the verdict").click())
    assert "Verdict recorded" in page.content()


def test_ld_works_items_to_each_verdict(live_server, signed_in_page, new_page):
    live_server.reset()
    items = open_checks(live_server)
    overturnable = next((i for i in items if i["overturnable"]), None)
    assert overturnable is not None, "the demo leaves an approved, open check to overturn"
    others = [i for i in items if i["id"] != overturnable["id"]]
    assert len(others) >= 2, items
    page = signed_in_page(LD)
    _go(page, lambda: nav_group(page, "Quality").get_by_role("link", name="Spot-checks")
        .click())
    assert page.get_by_role("heading", name="Why they were sampled").is_visible()
    work(page, others[0], "Agree")
    work(page, others[1], "Concern")
    work(page, overturnable, "Overturn")

    for path in ("/spot-checks?status=done", "/spot-checks/calibration",
                 "/spot-checks/calibration?by=unit", "/spot-checks/coverage",
                 "/spot-checks/decisions", "/spot-checks/rates"):
        _go(page, lambda p=path: page.goto(p))

    # the approver of the concern reads it in their queue and acknowledges it
    manager = signed_in_page(others[1]["approver_email"])
    _go(manager, lambda: manager.goto("/approvals"))
    assert manager.get_by_role("heading", name="Feedback from L&D spot-checks").is_visible()
    _go(manager, lambda: manager.get_by_role("button", name="I have read this").first.click())
    live_server.reset()
