"""The demo seed's suggestions: a year of monthly picks whose themes follow the leadership
series, for managers, everyone and Ward 7, seeded in well under a second."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from checkpoints.demo import LEADERSHIP, MANDATORY_UNIT, seed_programmes
from clearance.audit import AuditEvent
from clearance.extensions import db
from engagement.suggestions.demo import THEMES, seed_suggestions
from engagement.suggestions.models import Suggestion
from engagement.suggestions.queries import Viewer, add_months, widget_list
from people.demo import seed_people
from tests.checkpoints.helpers import rubric_version
from tests.checkpoints.test_demo import DEMO_RUBRICS
from tests.suggestions.helpers import this_month


def test_demo_suggestions_cover_the_last_twelve_months(db_session):
    summary = {"password": "clearance-demo"}
    seed_people(summary)
    for title in DEMO_RUBRICS:
        rubric_version(title)
    seed_programmes(summary)
    started = time.perf_counter()
    seed_suggestions(summary)
    assert time.perf_counter() - started < 2
    assert "Suggestions: 47 over the last 12 months" in summary["report"]

    months = db.session.scalars(select(Suggestion.month).distinct()).all()
    assert sorted(months) == [add_months(this_month(), -n) for n in range(11, -1, -1)]
    managers = widget_list(Viewer("managers"))
    assert managers.current and managers.themes == [THEMES[9]]
    assert [s.programme.title for s in managers.suggestions] == [LEADERSHIP[9].title,
                                                                 LEADERSHIP[8].title]
    assert widget_list(Viewer("everyone")).current
    ward7 = widget_list(Viewer("everyone", MANDATORY_UNIT))
    assert ward7.suggestions[-1].unit == MANDATORY_UNIT
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "suggestion.added")) == 47

    seed_suggestions(summary)  # a second run leaves them alone
    assert db.session.scalar(select(func.count(Suggestion.id))) == 47
