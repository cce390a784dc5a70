"""engagement.events: looks are remembered during the request and written after it commits."""

from __future__ import annotations

import datetime as dt

from flask import g
from sqlalchemy import select

from clearance.database import commit, rollback
from clearance.extensions import db
from engagement import events
from engagement.models import CATALOGUE_VIEW, PROGRAMME_VIEW, WIDGET_VIEW, EngagementEvent


def _rows():
    return db.session.scalars(select(EngagementEvent).order_by(EngagementEvent.id)).all()


def test_a_look_is_written_only_after_the_unit_of_work_commits(app, org, db_session):
    with app.test_request_context("/catalogue"):
        events.track(CATALOGUE_VIEW, person=org.learner)
        events.track(CATALOGUE_VIEW, person=org.learner)
        assert g.get(events._PENDING)
        assert _rows() == []
        commit()
    rows = _rows()
    assert [(r.kind, r.person_id, r.audience, r.count) for r in rows] == [
        (CATALOGUE_VIEW, org.learner.id, "everyone", 2)]


def test_a_rolled_back_request_records_nothing(app, org, db_session):
    with app.test_request_context("/catalogue"):
        events.track(CATALOGUE_VIEW, person=org.learner)
        rollback()
    assert _rows() == []


def test_same_day_adds_to_the_count_other_days_and_people_are_rows(app, org, db_session):
    day1 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    events.track(WIDGET_VIEW, person=org.line, at=day1)
    events.track(WIDGET_VIEW, person=org.line, at=day1 + dt.timedelta(hours=3))
    events.track(WIDGET_VIEW, person=org.line, at=day1 + dt.timedelta(days=1))
    events.track(WIDGET_VIEW, person=None, at=day1)
    events.track(WIDGET_VIEW, person=None, at=day1)
    rows = _rows()
    assert sorted((r.person_id or 0, r.day.isoformat(), r.audience, r.count) for r in rows) == [
        (0, "2026-03-02", "anonymous", 2),
        (org.line.id, "2026-03-02", "managers", 2),
        (org.line.id, "2026-03-03", "managers", 1),
    ]


def test_programme_and_kind_are_part_of_the_key(app, org, db_session):
    day = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    events.track(PROGRAMME_VIEW, person=org.learner, programme_id=None, at=day)
    events.track(CATALOGUE_VIEW, person=org.learner, at=day)
    assert len(_rows()) == 2


def test_unknown_kind_is_refused(app, org):
    import pytest

    with pytest.raises(ValueError):
        events.track("stared_at", person=org.learner)
