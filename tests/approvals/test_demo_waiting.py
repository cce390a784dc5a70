"""The demo's waiting work was sent in over the past weeks (``approvals.demo_waiting``), in
order, inside each item's escalation deadline, never before the programme's release; work
other seeders already dated keeps its dates; the approver digest no longer says "since today"."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from approvals.demo_waiting import spread_waiting
from approvals.models import ApprovalStep, Decision
from approvals.spot_checks.models import SpotCheckSampling
from approvals.workdays import add_working_days
from checkpoints.models import Enrolment
from clearance.cli import DEMO_SEEDERS
from clearance.database import as_utc, utcnow
from clearance.notifications import Notification
from engagement.nudges import rules
from engagement.nudges.config import load_config
from portfolios import operations as portfolio_ops
from portfolios.models import SubmissionVersion
from tests.approvals.factories import pending_step, submitted
from tests.portfolios import factories as pf
from tests.spot_checks.factories import decide

DAY = dt.timedelta(days=1)


def _u(value):
    return as_utc(value)


def _resubmitted(learner, title):
    """Sent in, changes asked for, sent in again: waiting on version 2."""
    first = submitted(learner, title=title)
    decide(first, first.approver, outcome="changes_requested", positions=0)
    submission = first.submission
    portfolio_ops.save_reflection(learner, submission.checkpoint, "Second try, with a plan.")
    portfolio_ops.submit(submission, learner, expected_version=1)
    return pending_step(submission.id)


def test_waiting_items_go_back_one_to_two_weeks_inside_their_deadline(org, db_session,
                                                                      make_person, app):
    now = utcnow()
    days = int(app.config["ESCALATION_WORKING_DAYS"])
    learners = [org.learner] + [make_person(f"Report {n}", manager=org.line) for n in range(7)]
    steps = [submitted(p, title=f"Checkpoint {n}") for n, p in enumerate(learners)]
    summary: dict = {}
    spread_waiting(summary)
    assert "Waiting for a decision: 8 items" in summary["report"]
    for step in steps:
        db_session.refresh(step)
        since = _u(step.created_at)
        assert now - 21 * DAY <= since <= now - 7 * DAY
        assert dt.time(8) <= since.time() <= dt.time(17, 30)
        assert _u(step.escalate_at) == add_working_days(since, days) >= now + DAY
        assert _u(step.version.submitted_at) == since == _u(step.submission.submitted_at)
        assert _u(step.submission.created_at) < since
        enrolment = db_session.scalar(select(Enrolment).where(
            Enrolment.person_id == step.learner_id,
            Enrolment.programme_id == step.submission.checkpoint.programme_id))
        assert _u(enrolment.enrolled_at) <= _u(step.submission.created_at)
        note = db_session.scalar(select(Notification).where(
            Notification.kind == "approval.waiting",
            Notification.link == f"/approvals/steps/{step.id}"))
        assert _u(note.created_at) == since
    assert len({_u(s.created_at).date() for s in steps}) >= 3  # spread, not one day


def test_a_resubmission_keeps_its_rounds_in_order(org, db_session):
    now = utcnow()
    step = _resubmitted(org.learner, "Medicines round")
    spread_waiting({})
    db_session.refresh(step)
    v1, v2 = db_session.scalars(select(SubmissionVersion).where(
        SubmissionVersion.submission_id == step.submission_id)
        .order_by(SubmissionVersion.number)).all()
    decision = db_session.scalar(select(Decision).where(Decision.version_id == v1.id))
    started = _u(step.submission.created_at)
    assert started < _u(v1.submitted_at) < _u(decision.decided_at) < _u(v2.submitted_at)
    assert _u(v2.submitted_at) == _u(step.created_at) <= now - 7 * DAY
    assert _u(v1.submitted_at) >= now - 21 * DAY - 10 * DAY  # its first round, weeks back
    assert _u(v1.outcome_at) == _u(decision.decided_at) == _u(decision.step.closed_at)
    assert _u(decision.step.created_at) == _u(v1.submitted_at)
    assert _u(decision.review_started_at) < _u(decision.decided_at)
    sampling = db_session.scalar(select(SpotCheckSampling).where(
        SpotCheckSampling.decision_id == decision.id))
    assert _u(sampling.decided_at) == _u(decision.decided_at)
    assert step.submission.state == "submitted"
    assert _u(step.submission.state_changed_at) == _u(v2.submitted_at)


def test_dates_other_seeders_set_are_kept_and_the_next_level_starts_then(org, db_session):
    now = utcnow()
    first = submitted(org.learner, levels=2, title="Falls audit")
    # as the one-to-ones demo dates them; ten working days after the decision have passed
    sent, decided_at = now - 21 * DAY, now - 18 * DAY
    first.version.submitted_at = first.submission.submitted_at = first.created_at = sent
    decision = decide(first, first.approver)
    decision.decided_at = decided_at
    db_session.flush()
    second = pending_step(first.submission_id)
    assert second.level == 2
    spread_waiting({})
    db_session.refresh(second)
    assert _u(second.created_at) == decided_at
    assert _u(first.version.submitted_at) == sent and _u(decision.decided_at) == decided_at
    assert _u(first.closed_at) == decided_at
    assert add_working_days(decided_at, 10) < now  # the real deadline passed: not a wave of
    next_day = add_working_days(now, 1)  # escalations at the first run
    assert next_day <= _u(second.escalate_at) < next_day + dt.timedelta(minutes=1)


def test_nothing_before_the_release_and_old_work_stays(org, db_session):
    now = utcnow()
    prog = pf.programme("Just released", release_date=(now - 10 * DAY).date())
    cp = pf.checkpoint(prog, title="New checkpoint")
    pf.enrol(org.other_learner, prog)
    submission = portfolio_ops.start_submission(org.other_learner, cp)
    portfolio_ops.save_reflection(org.other_learner, cp, "Done on the ward.")
    portfolio_ops.submit(submission, org.other_learner, expected_version=0)
    fresh = pending_step(submission.id)
    old = submitted(org.learner, title="Older")
    old.created_at = old.version.submitted_at = now - 4 * DAY
    db_session.flush()
    spread_waiting({})
    db_session.refresh(fresh)
    db_session.refresh(old)
    released = dt.datetime.combine(prog.release_date, dt.time(9), tzinfo=dt.UTC)
    assert released + DAY <= _u(fresh.created_at) <= now - 7 * DAY
    assert _u(fresh.submission.created_at) >= released - 6 * DAY  # started around then
    assert _u(old.created_at) == now - 4 * DAY


def test_a_second_run_changes_nothing(org, db_session):
    step = submitted(org.learner)
    spread_waiting({})
    db_session.refresh(step)
    before = (_u(step.created_at), _u(step.escalate_at), _u(step.submission.created_at))
    summary: dict = {}
    spread_waiting(summary)
    db_session.refresh(step)
    assert (_u(step.created_at), _u(step.escalate_at), _u(step.submission.created_at)) == before
    assert "report" not in summary


def test_the_digest_says_since_when_not_today(org, db_session):
    now = utcnow()
    for n in range(3):
        submitted(org.learner, title=f"Checkpoint {n}")
    spread_waiting({})
    cfg = load_config()
    today = cfg.today(now)
    cfg = type(cfg)(**{**cfg.__dict__, "digest_weekday": today.weekday()})
    (digest,) = rules.approver_digest(now, cfg)
    since = {i["since"] for g in digest.context["groups"] for i in g["items"]}
    assert since and rules.long_date(today) not in since


def test_runs_after_the_seeders_that_make_waiting_work_and_before_the_year(app):
    order = {ref: n for n, ref in DEMO_SEEDERS}
    mine = order["approvals.demo_waiting:spread_waiting"]
    assert mine > order["portfolios.demo:seed_submissions"]
    assert mine > order["approvals.one_to_ones.demo:seed_one_to_ones"]
    assert mine > order["approvals.spot_checks.demo:seed_spot_checks"]
    assert mine < order["engagement.demo:seed_year_of_activity"]


def test_skipped_people_means_nothing_to_do(org, db_session):
    step = submitted(org.learner)
    created = _u(step.created_at)
    spread_waiting({"skipped_people": True})
    db_session.refresh(step)
    assert _u(step.created_at) == created
    assert db_session.scalar(select(ApprovalStep.id).where(
        ApprovalStep.status == "pending")) == step.id
