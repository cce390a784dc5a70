"""A manager runs this week's one-to-one in a real browser: opens it from the week view, decides
a waiting checkpoint from the agenda with the full rubric, writes shared notes and marks the
meeting held (carrying what is left); the report then reads the notes and the decision.
axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import check_page

pytestmark = pytest.mark.browser

REPORT = "sam.taylor@northfield.example"


def this_weeks_meeting(live_server: Any) -> dict[str, Any]:
    """Sam's series with his manager, this week's date, and a waiting rubric-scored step."""
    from sqlalchemy import select

    from approvals.one_to_ones import queries, schedule
    from approvals.one_to_ones.models import Series
    from approvals.operations import rubric_version_of
    from clearance.database import utcnow
    from clearance.extensions import db
    from people.models import Person

    with live_server.app.app_context():
        sam = db.session.scalar(select(Person).where(Person.email == REPORT))
        series = db.session.scalar(select(Series).where(Series.report_id == sam.id,
                                                        Series.status == "active"))
        assert series is not None, "the demo gives Sam a weekly one-to-one"
        monday, next_monday = schedule.week_of(schedule.local_today(series, utcnow()))
        (day,) = schedule.occurrences(series, monday, next_monday)
        steps = [s for s in queries.pending_for(series.manager_id, sam.id)
                 if rubric_version_of(s) is not None]
        assert len(steps) >= 2, "the demo leaves Sam's manager checkpoints to decide"
        rubric = rubric_version_of(steps[0])
        found = {
            "manager_email": series.manager.email, "manager": series.manager.name,
            "url": f"/one-to-ones/series/{series.id}/meetings/{day.isoformat()}",
            "day": day, "step_id": steps[0].id, "title": steps[0].submission.checkpoint.title,
            "criteria": [c.id for c in rubric.criteria],
        }
        db.session.remove()
    return found


def click_and_check(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()
    check_page(page)


def test_manager_runs_the_one_to_one_and_the_report_reads_it(live_server, signed_in_page):
    item = this_weeks_meeting(live_server)
    try:
        page = signed_in_page(item["manager_email"])
        click_and_check(page, page.locator('header .nav-row a[href="/one-to-ones"]'))
        assert page.get_by_role("heading", name="Week of").is_visible()
        click_and_check(page, page.locator(f'table a[href="{item["url"]}"]'))
        assert page.get_by_role("heading", name="One-to-one with Sam Taylor").is_visible()

        # Decide the first waiting checkpoint right here, against the rubric.
        click_and_check(page, page.locator(f'a[href="{item["url"]}?review={item["step_id"]}'
                                           '#review"]'))
        assert page.get_by_role("heading", name=f"Reviewing: {item['title']}").is_visible()
        for criterion_id in item["criteria"]:
            page.locator(f'input[name="c{criterion_id}-level"]').last.check()
            page.locator(f"#c{criterion_id}-comment").fill(
                "Clearly shown in the evidence; we talked it through.")
        page.locator("#feedback").fill("Talked through in our one-to-one: a clear, honest "
                                       "reflection with a plan for next time.")
        page.locator("#outcome-0").check()
        click_and_check(page, page.locator("#submit"))
        assert page.get_by_text("Saved in this one-to-one").is_visible()
        decided = page.locator("section[aria-labelledby=decided]")
        assert f"in the one-to-one of {item['day']:%d %B %Y}" in decided.inner_text()

        # Shared notes, then mark the meeting held: the other waiting items carry over.
        page.locator("#notes").fill("Agreed Sam leads Thursday's safety huddle.")
        click_and_check(page, page.locator("#save-notes"))
        assert page.get_by_text("Shared notes saved.").is_visible()
        click_and_check(page, page.get_by_role("button", name="Mark as held"))
        assert page.get_by_role("heading", name="Mark the one-to-one").is_visible()
        page.locator("#carry-0").check()
        click_and_check(page, page.locator("#submit"))
        assert page.get_by_text("Marked as held.").is_visible()

        report = signed_in_page(REPORT)
        click_and_check(report, report.locator('header .nav-row a[href="/one-to-ones"]'))
        series_url = item["url"].split("/meetings/")[0]
        click_and_check(report, report.locator(f'a[href="{series_url}"]').first)
        click_and_check(report, report.locator(f'a[href="{item["url"]}"]').first)
        assert report.get_by_text("Agreed Sam leads Thursday's safety huddle.").is_visible()
        text = report.locator("section[aria-labelledby=decided]").inner_text()
        assert item["title"] in text and f"Approved by {item['manager']}" in text
        assert "private notes" not in report.content().lower()
    finally:
        live_server.reset()
