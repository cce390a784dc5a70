"""The demo seeders (order 64): checks for every approved summative submission dated from its
approval, older ones mostly answered; pulse responses for decisions of the last year; both once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from approvals.models import Decision
from clearance.cli import DEMO_SEEDERS
from clearance.database import as_utc, utcnow
from engagement.application.demo import seed_application_checks
from engagement.application.models import ApplicationCheck
from engagement.pulse.demo import seed_pulse
from engagement.pulse.models import PulseAnswered, PulseResponse
from tests.application_checks.helpers import approved
from tests.approvals.factories import submitted


def _count(db_session, model, *where):
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def test_registered_after_the_year_of_activity(app):
    refs = {ref: order for order, ref in DEMO_SEEDERS}
    assert refs["engagement.application.demo:seed_application_checks"] == 64
    assert refs["engagement.pulse.demo:seed_pulse"] == 64
    assert all(order < 64 for ref, order in refs.items() if ref.endswith("seed_year_of_activity"))


def test_checks_are_dated_from_their_approval_and_older_ones_answered(org, db_session):
    submissions = [approved(org.learner if n % 2 else org.other_learner, title=f"Work {n}")
                   for n in range(16)]
    now = utcnow()
    for n, submission in enumerate(submissions):  # approvals spread over the last year
        db_session.execute(update(Decision).where(Decision.submission_id == submission.id)
                           .values(decided_at=now - dt.timedelta(days=20 * n + 1)))
    # bulk-inserted history has no check yet: drop two, as the year of activity would have
    db_session.execute(ApplicationCheck.__table__.delete().where(
        ApplicationCheck.submission_id.in_([submissions[3].id, submissions[9].id])))
    submitted(org.learner, title="Still waiting")  # not approved: no check
    summary: dict = {}
    seed_application_checks(summary)
    checks = db_session.scalars(select(ApplicationCheck)).all()
    assert len(checks) == 16
    for check in checks:
        decided = db_session.scalar(select(Decision.decided_at).where(
            Decision.id == check.decision_id))
        assert as_utc(check.approved_at) == as_utc(decided)
        assert check.due_on == as_utc(decided).date() + dt.timedelta(days=check.days)
    answered = [c for c in checks if c.answered_at is not None]
    today = now.date()
    assert answered and all(c.due_on < today - dt.timedelta(days=7) for c in answered)
    assert all(c.answered_by_id == c.learner.manager_id and c.answer for c in answered)
    assert any(c.answered_at is None and c.due_on > today for c in checks)  # not due yet
    assert "Application checks: 16" in summary["report"]
    before = [(c.id, c.answer, c.due_on) for c in checks]
    seed_application_checks({})  # a second run changes nothing
    db_session.expire_all()
    assert [(c.id, c.answer, c.due_on) for c in db_session.scalars(
        select(ApplicationCheck).order_by(ApplicationCheck.id))] == sorted(before)


def test_pulse_responses_for_last_years_decisions(org, db_session):
    for n in range(30):
        approved(org.learner if n % 2 else org.other_learner, title=f"Work {n}")
    summary: dict = {}
    seed_pulse(summary)
    answered = _count(db_session, PulseAnswered)
    assert 0 < answered < 30
    assert _count(db_session, PulseResponse) == answered
    assert _count(db_session, PulseResponse,
                  PulseResponse.month == utcnow().date().replace(day=1)) == answered
    seed_pulse({})
    assert _count(db_session, PulseResponse) == answered
