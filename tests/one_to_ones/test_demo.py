"""The demo seed: every manager meets each direct report weekly, with held history (notes and
real decisions made in the meetings) and this week's agenda with pending items."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from approvals.models import Decision
from approvals.one_to_ones import queries
from approvals.one_to_ones.demo import seed_one_to_ones
from approvals.one_to_ones.models import Meeting, Series
from clearance.cli import DEMO_SEEDERS
from clearance.database import as_utc
from tests.approvals.factories import submitted


def test_seed_gives_every_manager_weekly_one_to_ones_with_history(org, db_session):
    for title in ("Safe handover", "Medicines round", "Falls audit", "Sepsis screening"):
        submitted(org.learner, title=title)
    summary: dict = {}
    seed_one_to_ones(summary)
    pairs = set(db_session.execute(select(Series.manager_id, Series.report_id)).all())
    assert (org.line.id, org.learner.id) in pairs and (org.md.id, org.skip.id) in pairs
    assert (org.unrelated.id, org.other_learner.id) in pairs
    held = db_session.scalars(select(Meeting).where(Meeting.status == "held")).all()
    assert held and all(m.shared_notes for m in held)
    decided = db_session.scalars(select(Decision).where(Decision.meeting_id.is_not(None))).all()
    assert len(decided) == 2 and all(d.learner_id == org.learner.id for d in decided)
    for d in decided:  # dated as in the meeting, after the work was submitted
        assert as_utc(d.decided_at) - as_utc(d.meeting.starts_at) == dt.timedelta(minutes=15)
        assert as_utc(d.step.version.submitted_at) < as_utc(d.decided_at)
    series = db_session.scalar(select(Series).where(Series.report_id == org.learner.id))
    assert len(queries.pending_for(series.manager_id, series.report_id)) == 2
    assert "344" not in summary["report"] and "decisions made in them" in summary["report"]
    seed_one_to_ones(summary)  # a second run changes nothing
    assert db_session.scalar(select(func.count()).select_from(Series)) == len(pairs)


def test_seeder_runs_after_the_portfolios():
    order = {ref: n for n, ref in DEMO_SEEDERS}
    assert order["approvals.one_to_ones.demo:seed_one_to_ones"] > \
        order["portfolios.demo:seed_submissions"]
